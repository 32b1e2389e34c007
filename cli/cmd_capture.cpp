// vpnlab capture TUNNEL|NODE -w FILE.pcapng: capture a running lab's traffic where a gateway
// sees it, into pcapng, with the keys Wireshark needs beside it.
//
//   --outer (default)  the gateway's link to the lab's internet ("wan"): IKE and ESP; for a
//                      TUNNEL only that tunnel's outside address pair, for a NODE all of it.
//                      Writes FILE.keys/ (esp_sa, ikev2_decryption_table, preferences) for
//                      the SAs the capture saw, collected from the gateway while capturing.
//   --inner            the cleartext on the tunnel's TUN device (a NODE: all of its tunnels).
//
// Stops on --duration, --count or SIGINT/SIGTERM, then prints what it captured.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/capture_keys.hpp"
#include "cli/commands.hpp"
#include "dataplane/linux/capture.hpp"
#include "dataplane/linux/pcapng_writer.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

// No SA_RESTART: poll() returns EINTR so the loop sees the flag at once.
void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

struct Target {
  const topology::GatewayPlan* gateway = nullptr;
  const topology::TunnelPlan* tunnel = nullptr;  // null: the whole node
};

std::optional<Target> resolve(const topology::LabPlan& plan, const CaptureOptions& opt) {
  for (const auto& g : plan.gateways) {
    if (g.node == opt.target) return Target{&g, nullptr};
  }
  std::optional<Target> found;
  for (const auto& g : plan.gateways) {
    if (!opt.node.empty() && g.node != opt.node) continue;
    for (const auto& t : g.tunnels) {
      if ((t.device == opt.target || t.name == opt.target) && !found) found = Target{&g, &t};
    }
  }
  return found;
}

std::string exchange_name(std::uint8_t e) {
  switch (e) {
    case 34:
      return "IKE_SA_INIT";
    case 35:
      return "IKE_AUTH";
    case 36:
      return "CREATE_CHILD_SA";
    case 37:
      return "INFORMATIONAL";
  }
  return std::to_string(e);
}

std::string keys_dir_for(const std::string& output) {
  std::string base = output;
  for (const char* ext : {".pcapng", ".pcap"}) {
    std::string e = ext;
    if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) {
      base.resize(base.size() - e.size());
      break;
    }
  }
  return base + ".keys";
}

struct Totals {
  std::uint64_t packets = 0, bytes = 0;
  SasSeen seen;
};

void print_sas(const SasSeen& seen, const topology::SaKeySet& keys) {
  if (seen.ike.empty() && seen.esp.empty()) return;
  std::printf("SAs seen:\n");
  for (const auto& [spi_i, v] : seen.ike) {
    std::string exchanges;
    for (auto e : v.second) exchanges += (exchanges.empty() ? "" : ", ") + exchange_name(e);
    bool have = false;
    for (const auto& k : keys.ike) have = have || k.spi_i == spi_i;
    std::printf("  IKE_SA %016llx/%016llx  %s  keys: %s\n", static_cast<unsigned long long>(spi_i),
                static_cast<unsigned long long>(v.first), exchanges.c_str(), have ? "yes" : "no");
  }
  for (const auto& [spi, e] : seen.esp) {
    std::string tunnel;
    for (const auto& k : keys.esp) {
      if (k.spi == spi) tunnel = k.tunnel;
    }
    std::printf("  ESP SPI 0x%08x  %s -> %s  %llu packets  keys: %s%s\n", spi,
                e.src.to_string().c_str(), e.dst.to_string().c_str(),
                static_cast<unsigned long long>(e.packets), tunnel.empty() ? "no" : "yes",
                tunnel.empty() ? "" : ("  (" + tunnel + ")").c_str());
  }
}

int write_keys(const KeyCollector& keys, const CaptureOptions& opt, const SasSeen& seen,
               const std::string& key_error) {
  topology::SaKeySet chosen = keys.select(seen);
  print_sas(seen, chosen);
  if (!key_error.empty()) std::fprintf(stderr, "vpnlab capture: keys: %s\n", key_error.c_str());
  std::string dir = keys_dir_for(opt.output);
  auto written = write_key_files(dir, chosen);
  if (!written) {
    std::fprintf(stderr, "vpnlab capture: %s\n", written.error().message.c_str());
    return 1;
  }
  for (const auto& n : written->notes)
    std::printf("  not decryptable in Wireshark 4.0: %s\n", n.c_str());
  std::printf(
      "wrote %s and %s/ (0700; esp_sa: %zu ESP SAs, ikev2_decryption_table: %zu IKE_SAs, "
      "preferences; SECRET keys, files 0600)\n",
      opt.output.c_str(), dir.c_str(), written->esp_lines, written->ike_lines);
  std::printf("decrypt with:\n  WIRESHARK_CONFIG_DIR=%s tshark -r %s\n", dir.c_str(),
              opt.output.c_str());
  return 0;
}

int finish_capture(dataplane::PacketCapture& cap, dataplane::pcapng::Writer& out,
                   const KeyCollector& keys, const CaptureOptions& opt, std::uint64_t packets,
                   std::uint64_t bytes, const SasSeen& seen, bool write_failed,
                   const std::string& key_error) {
  auto counters = cap.counters();
  std::uint64_t drops = 0;
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  for (std::size_t i = 0; i < counters.size(); ++i) {
    drops += counters[i].dropped;
    (void)out.write(dataplane::pcapng::Statistics{static_cast<std::uint32_t>(i),
                                                  static_cast<std::uint64_t>(now),
                                                  counters[i].received, counters[i].dropped});
  }
  auto closed = out.close();
  std::printf("captured %llu packets, %llu bytes", static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(bytes));
  if (!opt.inner) {
    std::printf(" (ESP %llu, IKE %llu, NAT keepalives %llu)",
                static_cast<unsigned long long>(seen.esp_packets),
                static_cast<unsigned long long>(seen.ike_packets),
                static_cast<unsigned long long>(seen.keepalives));
  }
  std::printf("; kernel drops %llu\n", static_cast<unsigned long long>(drops));
  if (write_failed || !closed) {
    std::fprintf(stderr, "vpnlab capture: writing %s failed\n", opt.output.c_str());
    return 1;
  }
  if (opt.inner) {
    std::printf("wrote %s (cleartext: no keys needed)\n  tshark -r %s\n", opt.output.c_str(),
                opt.output.c_str());
    return 0;
  }
  return write_keys(keys, opt, seen, key_error);
}

int capture_loop(dataplane::PacketCapture& cap, dataplane::pcapng::Writer& out, KeyCollector& keys,
                 const CaptureOptions& opt) {
  catch_stop_signals();
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now(), last_key_poll = start;
  Totals totals;
  bool write_failed = false;
  auto sink = [&](const dataplane::CapturedPacket& p) {
    if (opt.count && totals.packets >= opt.count) return;
    dataplane::pcapng::Packet pkt{static_cast<std::uint32_t>(p.device), p.timestamp_ns, p.data,
                                  p.original_length,
                                  p.outgoing ? dataplane::pcapng::Direction::outbound
                                             : dataplane::pcapng::Direction::inbound};
    if (!out.write(pkt)) write_failed = true;
    ++totals.packets;
    totals.bytes += p.original_length;
    if (!opt.inner) totals.seen.note(dataplane::classify_ipsec(p.data));
  };
  std::string key_error;
  while (!g_stop && !write_failed) {
    if (opt.count && totals.packets >= opt.count) break;
    if (opt.duration_s > 0 && Clock::now() - start >= std::chrono::duration<double>(opt.duration_s))
      break;
    if (auto rc = cap.poll(std::chrono::milliseconds(100), sink); !rc) {
      std::fprintf(stderr, "vpnlab capture: %s\n", rc.error().message.c_str());
      break;
    }
    // SAs rekeyed or deleted during the capture: collect their keys while they are fresh.
    if (!opt.inner && Clock::now() - last_key_poll >= std::chrono::seconds(1)) {
      last_key_poll = Clock::now();
      if (auto rc = keys.poll(); !rc) key_error = rc.error().message;
    }
  }
  if (!opt.inner) {
    if (auto rc = keys.poll(); !rc) key_error = rc.error().message;
  }
  return finish_capture(cap, out, keys, opt, totals.packets, totals.bytes, totals.seen,
                        write_failed, key_error);
}

int run_capture(const topology::RunPaths& paths, const topology::GatewayPlan& g,
                const topology::TunnelPlan* tunnel, const CaptureOptions& opt) {
  std::vector<std::string> devices;
  dataplane::CaptureFilter filter;
  std::string what;
  if (opt.inner) {
    for (const auto& t : g.tunnels) {
      if (!tunnel || &t == tunnel) devices.push_back(t.device);
    }
    what = "inner (cleartext on the tunnel device)";
  } else {
    devices.push_back("wan");
    filter.ipsec_only = true;
    what = "outer (IKE and ESP)";
    if (tunnel) {
      filter.pair_only = true;
      filter.a = tunnel->local_outside;
      filter.b = tunnel->remote_outside;
      what += " of " + tunnel->device + " " + filter.a.to_string() + " <-> " + filter.b.to_string();
    }
  }
  auto cap = dataplane::PacketCapture::open(g.netns, devices, filter);
  if (!cap) {
    std::fprintf(stderr, "vpnlab capture: %s\n", cap.error().message.c_str());
    return 1;
  }
  auto out = dataplane::pcapng::Writer::create(opt.output, 0600, "vpnlab capture");
  if (!out) {
    std::fprintf(stderr, "vpnlab capture: %s\n", out.error().message.c_str());
    return 1;
  }
  for (const auto& d : devices) {
    std::string desc = g.node + " " + (opt.inner ? "tunnel " + d : "internet link") + ": " + what;
    if (auto id = out->add_interface({d, desc, dataplane::pcapng::kLinkTypeRaw, 65535}); !id) {
      std::fprintf(stderr, "vpnlab capture: %s\n", id.error().message.c_str());
      return 1;
    }
  }
  KeyCollector keys(paths.socket(g.node));
  if (!opt.inner) {
    if (auto rc = keys.poll(); !rc) {
      std::fprintf(stderr, "vpnlab capture: %s\n", rc.error().message.c_str());
      return 1;
    }
  }
  std::printf("vpnlab capture: %s, %s -> %s\n", g.node.c_str(), what.c_str(), opt.output.c_str());
  std::fflush(stdout);
  return capture_loop(**cap, *out, keys, opt);
}

}  // namespace

int cmd_capture(const LabSource& src, const CaptureOptions& opt) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  topology::RunPaths paths{run_dir(lab->lab.name)};
  auto target = resolve(plan, opt);
  if (!target) {
    std::fprintf(stderr, "vpnlab capture: no tunnel or node '%s'%s (see vpnlab topology plan)\n",
                 opt.target.c_str(), opt.node.empty() ? "" : (" on " + opt.node).c_str());
    return 1;
  }
  const auto& g = *target->gateway;
  if (topology::running_gateway_pid(paths, g.node) == 0) {
    std::fprintf(stderr, "vpnlab capture: %s of lab %s is not running (vpnlab up)\n",
                 g.node.c_str(), lab->lab.name.c_str());
    return 1;
  }
  return run_capture(paths, g, target->tunnel, opt);
}

}  // namespace vpnlab::cli
