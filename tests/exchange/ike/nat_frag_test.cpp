// NAT detection (RFC 7296 2.23) with the initiator behind a port-rewriting NAT, and IKE
// message fragmentation (RFC 7383) when IKE_AUTH exceeds the fragment size.

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

TEST(NatTraversal, PortRewritingNatIsDetectedAndBothSidesFloatTo4500) {
  Lab lab;
  rewrite_left_ports(lab);  // a port-rewriting NAT in front of the left
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.counter("ike.natd.nat_detected"), 1u);
  EXPECT_EQ(lab.right.counter("ike.natd.nat_detected"), 1u);
  // 2.23: IKE_AUTH onwards on port 4500; ESP in UDP (RFC 3948) on both sides.
  EXPECT_EQ(lab.left.sa()->remote().port, 4500);
  EXPECT_EQ(lab.right.sa()->remote().port, 40001);
  const ChildSa& c = lab.left.sa()->children().at(0);
  EXPECT_TRUE(lab.left.installer.outbound.at(c.outbound.value).outer.udp_encap);
  const auto& r_out = lab.right.installer.outbound.at(c.inbound.value);
  EXPECT_TRUE(r_out.outer.udp_encap);
  EXPECT_EQ(r_out.outer.remote_port, 40001);
}

TEST(NatTraversal, NoNatMeansNoEncapsulation) {
  Lab lab;
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.counter("ike.natd.nat_detected"), 0u);
  const ChildSa& c = lab.left.sa()->children().at(0);
  EXPECT_FALSE(lab.left.installer.outbound.at(c.outbound.value).outer.udp_encap);
  EXPECT_EQ(lab.left.sa()->remote().port, 500);
}

TEST(Fragmentation, LargeIkeAuthIsSentAsSkfFragments) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.fragment_size = r.fragment_size = 160;
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  std::size_t skf = 0;
  for (const Bytes& d : lab.sent_by_left) {
    EXPECT_LE(d.size(), 432u);  // IKE_SA_INIT (not fragmentable) is the only large one
    if (d[16] == static_cast<std::uint8_t>(PayloadType::skf)) {
      ++skf;
      EXPECT_LE(d.size(), 160u);
    }
  }
  EXPECT_GE(skf, 2u);
}

TEST(Fragmentation, NotUsedWhenThePeerDidNotAnnounceIt) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.fragment_size = 160;
  r.fragmentation = false;
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  for (const Bytes& d : lab.sent_by_left) {
    EXPECT_NE(d[16], static_cast<std::uint8_t>(PayloadType::skf));
  }
}

}  // namespace
}  // namespace vpnlab::ike::test

namespace vpnlab::ike::test {
namespace {

TEST(TrafficSelectors, DisjointSelectorsAreTsUnacceptable) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.remote_ts = {TrafficSelector::from_prefix(*Ipv4Prefix::parse("10.9.0.0/16"))};
  r.local_ts = {TrafficSelector::from_prefix(*Ipv4Prefix::parse("10.2.0.0/16"))};
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  // <-- HDR, SK {IDr, AUTH, N(TS_UNACCEPTABLE)}: IKE_SA up, no CHILD_SA (RFC 7296 2.9).
  ASSERT_TRUE(lab.established());
  EXPECT_TRUE(lab.left.sa()->children().empty());
  EXPECT_EQ(lab.right.counter("ike.child.rejected"), 1u);
}

TEST(TrafficSelectors, RouteBasedAnyToAnyNarrowsToTheResponderConfig) {
  PeerConfig r = lab_peer(false);
  r.local_ts = {TrafficSelector::from_prefix(*Ipv4Prefix::parse("10.2.0.0/16"))};
  Lab lab(lab_peer(true), r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.sa()->children().size(), 1u);
  // The IKE_AUTH response carries TSr narrowed to 10.2.0.0/16 (TSi stays 0.0.0.0/0).
  ASSERT_EQ(lab.sent_by_right.size(), 2u);
  auto resp = decode_message(lab.sent_by_right[1], lab.left.sa()->cipher(), nullptr);
  ASSERT_TRUE(resp.has_value()) << resp.error().message;
  const auto* tsr = (*resp)->get<TsPayload>(PayloadType::ts_r);
  ASSERT_NE(tsr, nullptr);
  ASSERT_EQ(tsr->selectors.size(), 1u);
  EXPECT_EQ(tsr->selectors[0].start.to_string(), "10.2.0.0");
  EXPECT_EQ(tsr->selectors[0].end.to_string(), "10.2.255.255");
  const auto* tsi = (*resp)->get<TsPayload>(PayloadType::ts_i);
  ASSERT_NE(tsi, nullptr);
  EXPECT_EQ(tsi->selectors.at(0), TrafficSelector::any());
}

TEST(StartupAction, StartInitiatesAndAddWaits) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.startup = StartupAction::start;  // cloud-facts: "Startup action" start = AWS initiates
  r.startup = StartupAction::add;
  Lab lab(l, r);
  lab.apply(lab.right, lab.right.manager->start_all());
  EXPECT_EQ(lab.in_flight(), 0u);
  lab.apply(lab.left, lab.left.manager->start_all());
  lab.deliver();
  EXPECT_TRUE(lab.established());
}

}  // namespace
}  // namespace vpnlab::ike::test
