// vpnlab_dp_manual: runs the ESP dataplane with manual keys (manual_config.hpp) in the
// current network namespace until SIGTERM/SIGINT, for netns tests and benchmarks.
//
//   vpnlab_dp_manual CONFIG [--workers N] [--counters FILE] [--no-offload] [--spin-us N]
//                    [--crypto auto|openssl|ipsec-mb] [--esp-transport raw_socket|af_packet|auto]
//                    [--qdisc-bypass] [--rx-ring v3|v2|recvmmsg] [--no-rx-ring]
//
// --workers: worker threads (TUN queues, sockets), default 0 = one per core.
//
// --esp-transport: how raw ESP tunnels send and receive (engine.hpp EspTransport; default
// raw_socket); --qdisc-bypass: PACKET_QDISC_BYPASS on the af_packet transport's sends;
// --rx-ring: how af_packet receives (packet_socket.hpp PacketRxMode; default: EngineOptions');
// --no-rx-ring: the same as --rx-ring recvmmsg.
//
// Prints "esp transport: NAME" (with the fallback reason, if any) and then "ready" on stdout once
// the tunnels are up and the SAs installed. On SIGUSR1 and at exit it writes the counters (to FILE,
// else stdout), one per line:
//   tunnel NAME dp.tx.packets 123
//   sa in|out 0xSPI packets N bytes N auth_failures N replay_drops N malformed N
//   global dp.rx.drop.unknown_spi N

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "base/log.hpp"
#include "dataplane/linux/engine.hpp"
#include "dataplane/linux/manual_config.hpp"

using namespace vpnlab;
using namespace vpnlab::dataplane;

namespace {

struct Args {
  std::string config, counters;
  std::size_t workers = 0;  // one per core
  bool offload = true;
  bool qdisc_bypass = false;
  PacketRxMode rx_mode = EngineOptions{}.packet_rx_mode;
  int spin_us = -1;
  EspTransport esp_transport = EspTransport::raw_socket;
  vpnlab::esp::CryptoBackend crypto = vpnlab::esp::CryptoBackend::automatic;
};

bool parse_crypto(std::string_view s, vpnlab::esp::CryptoBackend& out) {
  using vpnlab::esp::CryptoBackend;
  for (CryptoBackend b :
       {CryptoBackend::automatic, CryptoBackend::openssl, CryptoBackend::ipsec_mb}) {
    if (s == vpnlab::esp::crypto_backend_name(b)) {
      out = b;
      return true;
    }
  }
  return false;
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--workers" && i + 1 < argc) {
      a.workers = static_cast<std::size_t>(std::atoi(argv[++i]));
    } else if (s == "--spin-us" && i + 1 < argc) {
      a.spin_us = std::atoi(argv[++i]);
    } else if (s == "--crypto" && i + 1 < argc) {
      if (!parse_crypto(argv[++i], a.crypto)) return false;
    } else if (s == "--esp-transport" && i + 1 < argc) {
      auto t = parse_esp_transport(argv[++i]);
      if (!t) return false;
      a.esp_transport = *t;
    } else if (s == "--rx-ring" && i + 1 < argc) {
      auto m = parse_packet_rx_mode(argv[++i]);
      if (!m) return false;
      a.rx_mode = *m;
    } else if (s == "--no-rx-ring") {  // the same as --rx-ring recvmmsg
      a.rx_mode = PacketRxMode::recvmmsg;
    } else if (s == "--qdisc-bypass") {
      a.qdisc_bypass = true;
    } else if (s == "--no-offload") {
      a.offload = false;
    } else if (s == "--counters" && i + 1 < argc) {
      a.counters = argv[++i];
    } else if (a.config.empty() && s[0] != '-') {
      a.config = s;
    } else {
      return false;
    }
  }
  return !a.config.empty();
}

void write_sa(std::ostream& out, const char* dir, const SaInstaller& e, SaDirection d,
              esp::Spi spi) {
  auto c = e.counters(d, spi);
  if (!c) return;
  char spi_text[16];
  std::snprintf(spi_text, sizeof spi_text, "0x%08x", spi.value);
  out << "sa " << dir << " " << spi_text << " packets " << c->packets << " bytes " << c->bytes
      << " auth_failures " << c->auth_failures << " replay_drops " << c->replay_drops
      << " malformed " << c->malformed << "\n";
}

void dump(const Engine& e, const std::vector<std::pair<esp::Spi, esp::Spi>>& spis,
          const std::string& path) {
  std::ostringstream out;
  for (const auto& t : e.tunnels()) {
    for (const auto& [k, v] : e.tunnel_counters(t.name)) {
      out << "tunnel " << t.name << " " << k << " " << v << "\n";
    }
  }
  for (const auto& [in, outspi] : spis) {
    write_sa(out, "in", e, SaDirection::inbound, in);
    write_sa(out, "out", e, SaDirection::outbound, outspi);
  }
  for (const auto& [k, v] : e.global_counters()) out << "global " << k << " " << v << "\n";
  if (path.empty()) {
    std::cout << out.str() << std::flush;
  } else {
    std::ofstream(path) << out.str();
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: %s CONFIG [--workers N] [--counters FILE] [--no-offload] [--spin-us N] "
                 "[--crypto auto|openssl|ipsec-mb] [--esp-transport raw_socket|af_packet|auto] "
                 "[--qdisc-bypass] [--rx-ring v3|v2|recvmmsg] [--no-rx-ring]\n",
                 argv[0]);
    return 2;
  }
  log::set_level(log::Level::warn);
  auto tunnels = load_manual_config(args.config);
  if (!tunnels) {
    std::fprintf(stderr, "%s\n", tunnels.error().message.c_str());
    return 1;
  }
  std::vector<TunnelConfig> configs;
  std::vector<std::pair<esp::Spi, esp::Spi>> spis;
  for (const auto& t : *tunnels) {
    configs.push_back(t.tunnel);
    spis.emplace_back(t.inbound.spi, t.outbound.spi);
  }
  // Block the signals before any thread starts, so only sigwait() below sees them.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  EngineOptions options;
  options.workers = args.workers;
  options.offload = args.offload;
  options.crypto = args.crypto;
  options.esp_transport = args.esp_transport;
  options.qdisc_bypass = args.qdisc_bypass;
  options.packet_rx_mode = args.rx_mode;
  if (args.spin_us >= 0) options.spin_us = static_cast<unsigned>(args.spin_us);
  auto engine = Engine::create(std::move(configs), options);
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().message.c_str());
    return 1;
  }
  if (auto r = install_manual(**engine, *tunnels); !r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  (*engine)->start();
  std::cout << "esp transport: " << (*engine)->esp_transport();
  if (!(*engine)->esp_transport_fallback().empty()) {
    std::cout << " (af_packet did not start: " << (*engine)->esp_transport_fallback() << ")";
  }
  std::cout << "\nready" << std::endl;
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    (*engine)->poll_control();
    if (sig == SIGUSR1) {
      dump(**engine, spis, args.counters);
      continue;
    }
    break;
  }
  (*engine)->stop();
  dump(**engine, spis, args.counters);
  return 0;
}
