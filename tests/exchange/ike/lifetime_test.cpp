// Byte/packet lifetimes (RFC 4301 4.4.2.1): the dataplane enforces the limits IKE installs
// with every CHILD_SA and reports crossing them through SaInstaller::on_lifetime; the soft
// limit starts a make-before-break CHILD_SA rekey (RFC 7296 2.8), the hard limit a DELETE
// (1.4.1). Also: who sends NAT keepalives (RFC 3948 4: only the side behind the NAT).

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

using dataplane::LifetimeEvent;
using dataplane::SaDirection;

void establish(Lab& lab) {
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
}

PeerConfig limited_peer(bool left) {
  PeerConfig c = lab_peer(left);
  c.child_limits.soft_bytes = 1000000;
  c.child_limits.hard_bytes = 1200000;
  c.child_limits.soft_packets = 900;
  c.child_limits.hard_packets = 1000;
  return c;
}

// The limits of the peer configuration reach the dataplane with both SAs of the pair.
TEST(Lifetime, LimitsAreInstalledWithBothDirections) {
  Lab lab(limited_peer(true), limited_peer(false));
  establish(lab);
  const ChildSa& c = lab.left.sa()->children()[0];
  for (const auto* sa : {&lab.left.installer.inbound.at(c.inbound.value),
                         &lab.left.installer.outbound.at(c.outbound.value)}) {
    EXPECT_EQ(sa->limits.soft_bytes, 1000000u);
    EXPECT_EQ(sa->limits.hard_bytes, 1200000u);
    EXPECT_EQ(sa->limits.soft_packets, 900u);
    EXPECT_EQ(sa->limits.hard_packets, 1000u);
  }
}

// Soft limit on the outbound SA: CREATE_CHILD_SA rekey, the new pair replaces the old one on
// both peers; the report for the inbound SA of the same pair that follows starts nothing.
TEST(Lifetime, SoftLimitStartsOneChildRekey) {
  Lab lab(limited_peer(true), limited_peer(false));
  establish(lab);
  esp::Spi old_in = lab.left.sa()->children()[0].inbound;
  esp::Spi old_out = lab.left.sa()->children()[0].outbound;
  lab.apply(lab.left, lab.left.manager->on_lifetime(SaDirection::outbound, old_out,
                                                    LifetimeEvent::soft_expired));
  ASSERT_EQ(lab.in_flight(), 1u);  // the CREATE_CHILD_SA request
  lab.apply(lab.left, lab.left.manager->on_lifetime(SaDirection::inbound, old_in,
                                                    LifetimeEvent::soft_expired));
  EXPECT_EQ(lab.in_flight(), 1u);
  lab.deliver();
  ASSERT_EQ(lab.left.sa()->children().size(), 1u);
  ASSERT_EQ(lab.right.sa()->children().size(), 1u);
  EXPECT_NE(lab.left.sa()->children()[0].inbound, old_in);
  EXPECT_EQ(lab.left.sa()->children()[0].outbound, lab.right.sa()->children()[0].inbound);
  EXPECT_TRUE(lab.left.saw(EventKind::child_rekeyed));
  EXPECT_EQ(lab.left.counter("ike.child.lifetime_soft"), 2u);
  lab.advance(std::chrono::seconds(5));  // the rekeyed inbound SA's grace
  EXPECT_EQ(lab.left.installer.inbound.count(old_in.value), 0u);
  EXPECT_EQ(lab.right.installer.outbound.count(old_in.value), 0u);
}

// Hard limit: the CHILD_SA is deleted on both peers (INFORMATIONAL DELETE), the IKE_SA stays.
TEST(Lifetime, HardLimitDeletesTheChildSa) {
  Lab lab(limited_peer(true), limited_peer(false));
  establish(lab);
  esp::Spi in = lab.right.sa()->children()[0].inbound;
  lab.apply(lab.right,
            lab.right.manager->on_lifetime(SaDirection::inbound, in, LifetimeEvent::hard_expired));
  lab.deliver();
  EXPECT_TRUE(lab.left.sa()->children().empty());
  EXPECT_TRUE(lab.right.sa()->children().empty());
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  EXPECT_TRUE(lab.right.installer.outbound.empty());
  EXPECT_EQ(lab.right.counter("ike.child.lifetime_hard"), 1u);
  EXPECT_EQ(lab.left.sa()->state(), IkeState::established);
}

// The installer's callback is what a host registers (IkeDaemon::start does exactly this);
// an SPI nobody owns is only counted.
TEST(Lifetime, InstallerCallbackReachesTheManagerAndUnknownSpisAreCounted) {
  Lab lab(limited_peer(true), limited_peer(false));
  establish(lab);
  Actions got;
  lab.left.installer.on_lifetime([&](SaDirection d, esp::Spi spi, LifetimeEvent ev) {
    got.merge(lab.left.manager->on_lifetime(d, spi, ev));
  });
  lab.left.installer.report_lifetime(SaDirection::inbound, 0x12345678, LifetimeEvent::soft_expired);
  EXPECT_TRUE(got.send.empty());
  EXPECT_EQ(lab.left.counter("ike.child.lifetime_unknown_sa"), 1u);
  lab.left.installer.report_lifetime(SaDirection::inbound,
                                     lab.left.sa()->children()[0].inbound.value,
                                     LifetimeEvent::soft_expired);
  EXPECT_EQ(got.send.size(), 1u);
}

// RFC 3948 4: only the peer whose own address was translated sends keepalives; the NAT here
// rewrites the left (initiator) side's address and port.
TEST(NatKeepalive, OnlyTheSideBehindTheNatSendsThem) {
  Lab lab;
  rewrite_left_ports(lab);  // a port-rewriting NAT in front of the left
  establish(lab);
  auto left = lab.left.manager->nat_keepalive_targets();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].first.port, 4500);
  EXPECT_EQ(left[0].second, (Endpoint{*Ipv4Address::parse("198.51.100.1"), 4500}));
  EXPECT_TRUE(lab.right.manager->nat_keepalive_targets().empty());
}

TEST(NatKeepalive, NoneWithoutNat) {
  Lab lab;
  establish(lab);
  EXPECT_TRUE(lab.left.manager->nat_keepalive_targets().empty());
  EXPECT_TRUE(lab.right.manager->nat_keepalive_targets().empty());
}

}  // namespace
}  // namespace vpnlab::ike::test
