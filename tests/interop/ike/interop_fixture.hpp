#pragma once
// The fixture shared by the strongSwan interop tests: charon (CharonPeer) in one namespace,
// the vpnlab IkeDaemon in the other, plus helpers that read charon's swanctl output and
// level-4 key log. Two modes for vpnlab's side:
//  - recording: the daemon binds its own UDP 500/4500 sockets and installs CHILD_SAs into a
//    RecordingSaInstaller (keys are compared with charon's key log);
//  - engine (InteropSetup::engine): a real dataplane::Engine (TUN "tunnel1" + ESP) installs
//    the CHILD_SAs, IKE rides on the engine's sockets (external transport, as the gateway
//    wires it), and site traffic 10.1.0.1 <-> 10.2.0.1 crosses the tunnel.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "dataplane/linux/engine.hpp"
#include "ike/daemon/ike_daemon.hpp"
#include "tests/exchange/ike/fake_sa_installer.hpp"
#include "tests/interop/ike/charon_peer.hpp"
#include "tests/interop/ike/traffic_probe.hpp"

namespace vpnlab::ike::test {

inline constexpr const char* kPsk = "interop-psk-0123456789";

/// One side-by-side configuration: charon's proposal strings and PSK, and vpnlab's suites.
struct InteropSetup {
  std::string charon_ike = "aes256-sha256-modp2048";
  std::string charon_esp = "aes256-sha256";
  std::string charon_psk = kPsk;
  bool encap = false;
  bool engine = false;  // a real Engine with site traffic instead of the recording installer
  bool hosts = false;   // site addresses without the Engine (CharonPeer::Options::hosts)
  bool nat = false;     // a masquerading NAT in front of vpnlab (CharonPeer::Options::nat)
  int charon_dpd_s = 0;
  dataplane::SaLimits limits;  // vpnlab's CHILD_SA byte/packet lifetimes
  double time_factor = 1.0;    // vpnlab's timers (DPD, retransmits) scaled
  IkeSuite ike{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_256_128,
               PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
  ChildSuite child{{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_256_128},
                   DhGroup::none};
  // Several proposals, as real devices offer (non-empty: used instead of ike / child).
  std::vector<IkeSuite> ike_list;
  std::vector<ChildSuite> child_list;
  // charon's selectors and extra swanctl.conf settings (CharonPeer::Options).
  std::string charon_local_ts = "0.0.0.0/0", charon_remote_ts = "0.0.0.0/0";
  std::string charon_conn_extra, charon_child_extra;
  // vpnlab's own selectors and timers.
  std::vector<TrafficSelector> local_ts{TrafficSelector::any()}, remote_ts{TrafficSelector::any()};
  Timers timers;
  DpdAction dpd_action = DpdAction::clear;
};

inline std::string hex32(std::uint32_t v) {
  char b[9];
  std::snprintf(b, sizeof b, "%08x", v);
  return b;
}

/// Hex bytes of one charon hexdump row "NN[CHD] <s2s|1>   16: 8B 92 ...  ascii", or "".
inline std::string dump_row(const std::string& line) {
  std::size_t gt = line.find("> ");
  std::size_t colon = line.find(": ", gt == std::string::npos ? 0 : gt);
  if (gt == std::string::npos || colon == std::string::npos) return {};
  for (std::size_t i = gt + 1; i < colon; ++i) {
    if (line[i] != ' ' && !std::isdigit(static_cast<unsigned char>(line[i]))) return {};
  }
  std::string hex;
  for (std::size_t p = colon + 2; p + 1 < line.size() && hex.size() < 32; p += 3) {
    if (!std::isxdigit(static_cast<unsigned char>(line[p])) ||
        !std::isxdigit(static_cast<unsigned char>(line[p + 1]))) {
      break;
    }
    hex.push_back(static_cast<char>(std::tolower(line[p])));
    hex.push_back(static_cast<char>(std::tolower(line[p + 1])));
    if (p + 2 < line.size() && line[p + 2] != ' ') break;
  }
  return hex;
}

/// The bytes of every "<label> => N bytes @ 0x..." hexdump in a charon level-4 log, in order.
inline std::vector<std::string> charon_dumps(const std::string& log, const std::string& label) {
  std::vector<std::string> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t at = line.find(label + " => ");
    if (at == std::string::npos) continue;
    std::size_t n = std::stoul(line.substr(at + label.size() + 4));
    std::string hex;
    while (hex.size() < 2 * n && std::getline(in, line)) {
      std::string row = dump_row(line);
      if (row.empty()) break;
      hex += row;
    }
    out.push_back(hex);
  }
  return out;
}

class StrongSwanInteropBase : public ::testing::Test {
 protected:
  /// Starts charon and the vpnlab daemon (in its namespace) for one configuration.
  void start(const InteropSetup& s) {
    if (!CharonPeer::available())
      GTEST_SKIP() << "needs root and strongSwan charon + kernel-libipsec";
    if (s.nat && access("/usr/sbin/nft", X_OK) != 0)
      GTEST_SKIP() << "needs nft (nftables; scripts/install-deps.sh installs it)";
    CharonPeer::Options o;
    o.ike = s.charon_ike;
    o.esp = s.charon_esp;
    o.psk = s.charon_psk;
    o.encap = s.encap;
    o.nat = s.nat;
    o.hosts = s.engine || s.hosts;
    o.dpd_delay_s = s.charon_dpd_s;
    o.local_ts = s.charon_local_ts;
    o.remote_ts = s.charon_remote_ts;
    o.conn_extra = s.charon_conn_extra;
    o.child_extra = s.charon_child_extra;
    peer_ = std::make_unique<CharonPeer>(o);
    ASSERT_TRUE(peer_->ok()) << peer_->error();
    Ipv4Address local = *Ipv4Address::parse(peer_->our_address());
    PeerConfig c;
    c.tunnel = "tunnel1";
    c.local = local;
    c.remote = *Ipv4Address::parse("192.0.2.2");
    c.local_id = IdPayload::ipv4(*Ipv4Address::parse("192.0.2.1"));  // the NAT's, if any
    c.remote_id = IdPayload::ipv4(c.remote);
    c.psk = SecretBytes(std::string_view(kPsk));
    c.ike_proposals = s.ike_list.empty() ? std::vector<IkeSuite>{s.ike} : s.ike_list;
    c.child_proposals = s.child_list.empty() ? std::vector<ChildSuite>{s.child} : s.child_list;
    c.local_ts = s.local_ts;
    c.remote_ts = s.remote_ts;
    c.timers = s.timers;
    c.dpd_action = s.dpd_action;
    c.child_limits = s.limits;
    c.time_factor = s.time_factor;
    config_ = c;
    ASSERT_NO_FATAL_FAILURE(start_vpnlab(s, local));
  }

  /// The vpnlab side: (the engine and) a manager + daemon with config_, in its namespace.
  void start_vpnlab(const InteropSetup& s, Ipv4Address local) {
    ScopedNetns in(peer_->our_netns());
    ASSERT_TRUE(in.ok());
    if (s.engine && !engine_) {
      ASSERT_NO_FATAL_FAILURE(start_engine(s, local));
    }
    dataplane::SaInstaller& installer =
        engine_ ? static_cast<dataplane::SaInstaller&>(*engine_) : installer_;
    manager_ = std::make_unique<IkeManager>(rng_, installer, counters_);
    manager_->add_peer(config_);
    IkeDaemon::Options opt;
    opt.local = local;
    opt.external_transport = s.engine;
    opt.nat_keepalive = Duration(500);  // RFC 3948 4 (20 s by default); fast for the NAT test
    daemon_ = std::make_unique<IkeDaemon>(io_, opt, *manager_, counters_);
    daemon_->on_event = [this](const Event& e) { events_.push_back(e.kind); };
    daemon_->on_send_tap = [this](const Datagram& d) { sent_.push_back(d.data); };
    // VPNLAB_IKE_CAPTURE_DIR=dir keeps every datagram charon sent (fuzz seeds, vectors).
    if (const char* dir = std::getenv("VPNLAB_IKE_CAPTURE_DIR")) {
      daemon_->on_receive_tap = [this, d = std::string(dir)](const Datagram& dg) {
        std::string name = d + "/" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                           std::to_string(captured_++);
        std::ofstream(name, std::ios::binary)
            .write(reinterpret_cast<const char*>(dg.data.data()),
                   static_cast<std::streamsize>(dg.data.size()));
      };
    }
    if (engine_) wire_engine();
    ASSERT_FALSE(daemon_->start());
  }

  /// vpnlab's gateway process restarts: its IKE state is gone (no DELETE reaches the peer),
  /// a new manager and daemon come up with the same configuration.
  void restart_vpnlab(const InteropSetup& s) {
    daemon_->stop();
    daemon_.reset();
    manager_.reset();
    engine_events_.reset();
    ASSERT_NO_FATAL_FAILURE(start_vpnlab(s, config_.local));
  }

  /// The Engine in vpnlab's namespace (the caller is in it): TUN tunnel1 169.254.10.1/30,
  /// 10.2.0.0/24 routed into it, ESP in UDP on 4500 (charon's libipsec only does that).
  void start_engine(const InteropSetup& s, Ipv4Address local) {
    dataplane::TunnelConfig t;
    t.name = "tunnel1";
    t.inside_address = *Ipv4Address::parse("169.254.10.1");
    t.outer_local = local;
    t.outer_remote = *Ipv4Address::parse("192.0.2.2");
    t.udp_encap = true;
    t.suite = s.child.esp;
    t.routes = {*Ipv4Prefix::parse("10.2.0.0/24")};
    auto e = dataplane::Engine::create({t}, dataplane::EngineOptions{});
    ASSERT_TRUE(e) << e.error().message;
    engine_ = std::move(*e);
    engine_->start();
  }

  /// IKE over the engine's sockets, as topology/gateway/gateway.cpp wires it.
  void wire_engine() {
    daemon_->send_hook = [this](const Datagram& d) {
      auto rc = engine_->send_ike({d.from.address, d.from.port}, {d.to.address, d.to.port}, d.data);
      if (!rc) counters_.get("ike.tx.send_error").add();
    };
    daemon_->keepalive_hook = [this](const Endpoint& from, const Endpoint& to) {
      if (!engine_->send_nat_keepalive({from.address, from.port}, {to.address, to.port}))
        counters_.get("ike.tx.send_error").add();
    };
    engine_->on_ike([this](const dataplane::IkeDatagram& d) {
      daemon_->deliver(
          {{d.remote.address, d.remote.port}, {d.local.address, d.local.port}, d.payload});
    });
    engine_events_ =
        std::make_unique<boost::asio::posix::stream_descriptor>(io_, ::dup(engine_->control_fd()));
    watch_engine();
  }
  void watch_engine() {
    engine_events_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [this](boost::system::error_code ec) {
                                 if (ec) return;
                                 engine_->poll_control();
                                 watch_engine();
                               });
  }

  void TearDown() override {
    if (HasFailure() && peer_) std::fprintf(stderr, "charon log:\n%s\n", peer_->log().c_str());
    if (HasFailure() && engine_) {
      for (const auto& [k, v] : engine_->global_counters()) {
        if (v)
          std::fprintf(stderr, "engine %s = %llu\n", k.c_str(), static_cast<unsigned long long>(v));
      }
      for (const auto& [k, v] : engine_->tunnel_counters("tunnel1")) {
        if (v)
          std::fprintf(stderr, "tunnel1 %s = %llu\n", k.c_str(),
                       static_cast<unsigned long long>(v));
      }
    }
    daemon_.reset();
    manager_.reset();  // before the engine it installs into
    engine_events_.reset();
    if (engine_) engine_->stop();
    engine_.reset();
  }

  /// Runs the daemon's io_context until pred() or the deadline (real time: a real peer).
  bool run_until(const std::function<bool()>& pred, int seconds = 15) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(20));
    }
    return pred();
  }
  /// Runs a swanctl command in a thread while the daemon keeps serving.
  CommandResult swanctl_while_running(const std::string& args) {
    return while_running([&] { return peer_->swanctl(args); });
  }
  /// Runs a blocking command in a thread while the daemon keeps serving.
  CommandResult while_running(const std::function<CommandResult()>& f) {
    CommandResult r;
    std::atomic<bool> done{false};
    std::thread t([&] {
      r = f();
      done = true;
    });
    run_until([&] { return done.load(); }, 60);
    t.join();
    return r;
  }
  /// ping from vpnlab's site address to charon's, through the tunnel.
  CommandResult ping_through_tunnel(int count = 3) {
    return while_running([&] {
      return run_command("ip netns exec " + peer_->our_netns() + " ping -n -q -c " +
                         std::to_string(count) + " -i 0.2 -W 5 -I 10.1.0.1 10.2.0.1");
    });
  }
  IkeSa* sa() {
    auto all = manager_->sas_for("tunnel1");
    return all.size() == 1 && all[0]->state() == IkeState::established ? all[0] : nullptr;
  }
  bool saw(EventKind k) const {
    return std::find(events_.begin(), events_.end(), k) != events_.end();
  }

  /// charon's view of the CHILD_SA equals ours: SPIs in list-sas, keys in its key log.
  void expect_child_matches_charon() {
    ASSERT_NE(sa(), nullptr);
    ASSERT_EQ(sa()->children().size(), 1u);
    const ChildSa& c = sa()->children()[0];
    CommandResult list = peer_->swanctl("--list-sas");
    EXPECT_NE(list.output.find("ESTABLISHED"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("INSTALLED"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("in  " + hex32(c.outbound.value)), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("out " + hex32(c.inbound.value)), std::string::npos) << list.output;
    if (engine_) return;  // the keys live in the Engine; traffic is the check there
    std::string log = peer_->log();
    std::string ours_in = to_hex(installer_.inbound.at(c.inbound.value).keys.encr_key.expose());
    std::string ours_out = to_hex(installer_.outbound.at(c.outbound.value).keys.encr_key.expose());
    bool found_in = false, found_out = false;
    std::string seen;
    for (const char* label : {"encryption initiator key", "encryption responder key"}) {
      for (const std::string& k : charon_dumps(log, label)) {
        found_in |= k == ours_in;
        found_out |= k == ours_out;
        seen += k + "\n";
      }
    }
    EXPECT_TRUE(found_in) << "our inbound key " << ours_in << " not among charon's:\n" << seen;
    EXPECT_TRUE(found_out) << "our outbound key " << ours_out << " not among charon's:\n" << seen;
  }

  boost::asio::io_context io_;
  OpenSslRng rng_;
  RecordingSaInstaller installer_{0xc7000000};
  CounterSet counters_;
  std::unique_ptr<CharonPeer> peer_;
  std::unique_ptr<IkeManager> manager_;
  std::unique_ptr<dataplane::Engine> engine_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> engine_events_;
  std::unique_ptr<IkeDaemon> daemon_;
  std::vector<EventKind> events_;
  std::vector<Bytes> sent_;  // every IKE datagram vpnlab sent
  PeerConfig config_;
  int captured_ = 0;
};

}  // namespace vpnlab::ike::test
