// Interop with strongSwan charon (kernel-libipsec) with real traffic through the tunnel:
// vpnlab's side is a dataplane::Engine (TUN "tunnel1" + ESP in UDP) into which the
// IkeManager installs the CHILD_SAs, with IKE on the Engine's sockets (external transport,
// wired as topology/gateway does). Site addresses 10.1.0.1 (vpnlab side) and 10.2.0.1
// (charon side) talk through the tunnel: ping, and a sequenced UDP echo stream
// (traffic_probe.hpp) whose loss count must stay 0 while CHILD_SAs and IKE_SAs are rekeyed
// by either side (RFC 7296 2.8 make-before-break). Also: a masquerading NAT in front of
// vpnlab (RFC 7296 2.23, RFC 3948: port 4500, ESP in UDP, NAT keepalives from the side
// behind the NAT) and packet lifetimes from the dataplane (RFC 4301 4.4.2.1) driving rekeys.

#include "tests/interop/ike/interop_fixture.hpp"

namespace vpnlab::ike::test {
namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;

InteropSetup gcm_setup() {
  InteropSetup s;
  s.engine = true;
  s.charon_ike = "aes256gcm16-prfsha256-modp2048";
  s.charon_esp = "aes256gcm16";
  s.ike = IkeSuite{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none,
                   PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
  s.child = ChildSuite{{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, DhGroup::none};
  return s;
}

InteropSetup cbc_setup() {
  InteropSetup s;  // aes256-sha256-modp2048 / aes256-sha256 (AES-CBC-256 + HMAC-SHA2-256-128)
  s.engine = true;
  return s;
}

class StrongSwanTraffic : public StrongSwanInteropBase {
 protected:
  /// Brings the tunnel up with vpnlab or charon initiating.
  void bring_up(bool vpnlab_initiates) {
    if (vpnlab_initiates) {
      daemon_->connect("tunnel1");
    } else {
      CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
      EXPECT_EQ(r.status, 0) << r.output;
    }
    ASSERT_TRUE(run_until([&] { return sa() && sa()->children().size() == 1; }, 30));
    expect_child_matches_charon();
  }
  /// ping through the tunnel answers every request, and the CHILD_SA's ESP counters moved.
  void expect_ping_through_tunnel() {
    CommandResult r = ping_through_tunnel();
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find(" 0% packet loss"), std::string::npos) << r.output;
    ASSERT_NE(sa(), nullptr);
    const ChildSa& c = sa()->children().at(0);
    auto in = engine_->counters(dataplane::SaDirection::inbound, c.inbound);
    auto out = engine_->counters(dataplane::SaDirection::outbound, c.outbound);
    ASSERT_TRUE(in && out);
    EXPECT_GE(in->packets, 3u);
    EXPECT_GE(out->packets, 3u);
    EXPECT_EQ(in->auth_failures, 0u);
  }
  /// Serves IKE until the probe has `more` further echoes (traffic on the current SAs).
  bool flow(const UdpEchoProbe& p, std::uint64_t more = 100) {
    std::uint64_t until = p.received() + more;
    return run_until([&] { return p.received() >= until; }, 60);
  }
  std::unique_ptr<UdpEchoProbe> probe() {
    auto p = std::make_unique<UdpEchoProbe>(peer_->our_netns(), "10.1.0.1", peer_->charon_netns(),
                                            "10.2.0.1");
    EXPECT_TRUE(p->ok());
    return p;
  }
};

struct TrafficCase {
  const char* name;
  bool gcm;
  bool vpnlab_initiates;
};

class StrongSwanTrafficSuites : public StrongSwanTraffic,
                                public ::testing::WithParamInterface<TrafficCase> {};

// Both roles, both ESP suites the clouds use: the CHILD_SA vpnlab negotiated carries ping.
TEST_P(StrongSwanTrafficSuites, PingCrossesTheTunnel) {
  ASSERT_NO_FATAL_FAILURE(start(GetParam().gcm ? gcm_setup() : cbc_setup()));
  ASSERT_NO_FATAL_FAILURE(bring_up(GetParam().vpnlab_initiates));
  expect_ping_through_tunnel();
  // No NAT here: vpnlab's own address is not translated, so it sends no keepalives.
  EXPECT_EQ(counters_.get("ike.tx.nat_keepalive").get(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Roles, StrongSwanTrafficSuites,
    ::testing::Values(TrafficCase{"VpnlabInitiatesAesGcm256", true, true},
                      TrafficCase{"CharonInitiatesAesGcm256", true, false},
                      TrafficCase{"VpnlabInitiatesAesCbc256Sha256", false, true},
                      TrafficCase{"CharonInitiatesAesCbc256Sha256", false, false}),
    [](const ::testing::TestParamInfo<TrafficCase>& i) { return std::string(i.param.name); });

// RFC 7296 2.8 / 1.3.2: CHILD_SA and IKE_SA rekeys started by each side while a sequenced
// UDP stream flows; not one datagram may be lost, and traffic flows after every step.
TEST_F(StrongSwanTraffic, RekeysFromBothSidesLoseNoPacket) {
  ASSERT_NO_FATAL_FAILURE(start(gcm_setup()));
  ASSERT_NO_FATAL_FAILURE(bring_up(true));
  auto p = probe();
  p->start();
  ASSERT_TRUE(flow(*p));
  esp::Spi first = sa()->children()[0].inbound;
  CommandResult r = swanctl_while_running("--rekey --child net");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] {
    return sa() && sa()->children().size() == 1 && sa()->children()[0].inbound != first;
  }));
  ASSERT_TRUE(flow(*p));
  esp::Spi second = sa()->children()[0].inbound;
  daemon_->apply(
      manager_->with_sa(sa()->local_spi(), [&](IkeSa& s) { return s.rekey_child(second); }));
  ASSERT_TRUE(run_until([&] {
    return sa() && sa()->children().size() == 1 && sa()->children()[0].inbound != second;
  }));
  ASSERT_TRUE(flow(*p));
  IkeSpi ike1 = sa()->local_spi();
  r = swanctl_while_running("--rekey --ike s2s");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && sa()->local_spi() != ike1; }));
  ASSERT_TRUE(flow(*p));
  IkeSpi ike2 = sa()->local_spi();
  daemon_->apply(manager_->with_sa(ike2, [](IkeSa& s) { return s.rekey_ike(); }));
  ASSERT_TRUE(run_until([&] { return sa() && sa()->local_spi() != ike2; }));
  ASSERT_TRUE(flow(*p));
  p->stop();
  std::fprintf(stderr, "probe: %llu sent, %llu echoed, %llu lost\n",
               static_cast<unsigned long long>(p->sent()),
               static_cast<unsigned long long>(p->received()),
               static_cast<unsigned long long>(p->lost()));
  EXPECT_EQ(p->lost(), 0u) << p->received() << " echoed; lost: " << p->lost_sequence_numbers();
  EXPECT_EQ(p->served(), p->sent());
  EXPECT_GE(p->received(), 500u);
  auto in = engine_->counters(dataplane::SaDirection::inbound, sa()->children()[0].inbound);
  ASSERT_TRUE(in);
  EXPECT_GT(in->packets, 0u);
  EXPECT_EQ(in->auth_failures, 0u);
  EXPECT_EQ(in->replay_drops, 0u);
}

// RFC 4301 4.4.2.1: the Engine counts packets per SA and reports the soft limit; IKE rekeys
// the CHILD_SA (again and again while traffic flows), losing nothing.
TEST_F(StrongSwanTraffic, PacketLifetimeRekeysUnderTrafficLoseNoPacket) {
  InteropSetup s = cbc_setup();
  s.limits.soft_packets = 400;
  s.limits.hard_packets = 1000000;
  ASSERT_NO_FATAL_FAILURE(start(s));
  ASSERT_NO_FATAL_FAILURE(bring_up(true));
  esp::Spi first = sa()->children()[0].inbound;
  auto p = probe();
  p->start();
  ASSERT_TRUE(run_until(
      [&] {
        return counters_.get("ike.child.lifetime_soft").get() >= 1 && sa() &&
               sa()->children().size() == 1 && sa()->children()[0].inbound != first;
      },
      60));
  ASSERT_TRUE(flow(*p));
  p->stop();
  EXPECT_EQ(p->lost(), 0u) << p->received() << " echoed; lost: " << p->lost_sequence_numbers();
  EXPECT_TRUE(saw(EventKind::child_rekeyed));
  EXPECT_NE(peer_->swanctl("--list-sas").output.find("INSTALLED"), std::string::npos);
}

// RFC 4301 4.4.2.1 hard limit: the CHILD_SA is deleted on both sides (INFORMATIONAL DELETE)
// and traffic stops crossing (which also shows the probe does count losses).
TEST_F(StrongSwanTraffic, HardPacketLimitDeletesTheChildSa) {
  InteropSetup s = gcm_setup();
  s.limits.hard_packets = 20;
  ASSERT_NO_FATAL_FAILURE(start(s));
  ASSERT_NO_FATAL_FAILURE(bring_up(false));
  auto p = probe();
  p->start();
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_deleted); }, 30));
  ASSERT_TRUE(run_until([&] { return p->lost() >= 1; }, 30));
  p->stop();
  EXPECT_GE(p->received(), 5u);
  EXPECT_GE(counters_.get("ike.child.lifetime_hard").get(), 1u);
  ASSERT_NE(sa(), nullptr);
  EXPECT_TRUE(sa()->children().empty());
  EXPECT_EQ(peer_->swanctl("--list-sas").output.find("INSTALLED"), std::string::npos);
}

// A masquerading NAT (nftables, new source ports 20000-30000) in front of vpnlab: NAT
// detection (RFC 7296 2.23) moves IKE to 4500, the CHILD_SA is UDP-encapsulated (RFC 3948),
// vpnlab (behind the NAT) sends NAT keepalives through the Engine's port (RFC 3948 4) and the
// NAT forwards them; traffic crosses the tunnel.
TEST_F(StrongSwanTraffic, NatInPathForcesUdpEncapsulationAndKeepalives) {
  InteropSetup s = gcm_setup();
  s.nat = true;
  ASSERT_NO_FATAL_FAILURE(start(s));
  ASSERT_NO_FATAL_FAILURE(bring_up(true));
  EXPECT_GE(counters_.get("ike.natd.nat_detected").get(), 1u);
  EXPECT_EQ(sa()->remote().port, 4500);
  EXPECT_TRUE(sa()->state_view().local_behind_nat);
  CommandResult list = peer_->swanctl("--list-sas");
  std::size_t at = list.output.find("192.0.2.1[");
  ASSERT_NE(at, std::string::npos) << list.output;
  int port = std::atoi(list.output.c_str() + at + 10);  // the NAT's port for our 4500
  EXPECT_GE(port, 20000) << list.output;
  EXPECT_LE(port, 30000) << list.output;
  expect_ping_through_tunnel();
  ASSERT_TRUE(run_until(
      [&] {
        return counters_.get("ike.tx.nat_keepalive").get() >= 2 &&
               peer_->keepalives_through_nat() >= 2;
      },
      30));
  EXPECT_GE(counters_.get("ike.tx.nat_keepalive").get(), 2u);
}

}  // namespace
}  // namespace vpnlab::ike::test
