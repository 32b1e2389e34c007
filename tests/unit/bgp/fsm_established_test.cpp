// RFC 4271 §8.2.2 Established: UPDATE/KEEPALIVE handling, ROUTE-REFRESH (RFC 2918), the
// error exits, and the graceful-restart decision on session loss (RFC 4724 §4.2).
#include <gtest/gtest.h>

#include "fsm_driver.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

Session established_session(bool gr = false, bool route_refresh = true) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.on_tcp_connection_confirmed(7);
  s.on_message(peer_open(Asn{64512}, Seconds(30), gr, route_refresh));
  s.on_message(encode_keepalive());
  s.take_actions();
  return s;
}

Bytes one_route_update() {
  UpdateMessage u;
  u.attrs.origin = Origin::igp;
  u.attrs.as_path = AsPath{{{SegmentType::as_sequence, {Asn{64512}}}}};
  u.attrs.next_hop = *Ipv4Address::parse("169.254.21.1");
  u.nlri = {*Ipv4Prefix::parse("10.2.0.0/16")};
  return encode_update(u, {});
}

TEST(BgpFsmEstablished, UpdateIsDeliveredAndRestartsHoldTimer) {
  Session s = established_session();
  s.on_message(one_route_update());
  auto o = observe(s);
  ASSERT_EQ(o.updates.size(), 1u);
  EXPECT_EQ(o.updates[0].update.update.nlri.size(), 1u);
  EXPECT_EQ(o.started.at(Timer::hold), Seconds(30));
}

TEST(BgpFsmEstablished, KeepaliveRestartsHoldTimer) {
  Session s = established_session();
  s.on_message(encode_keepalive());
  EXPECT_EQ(observe(s).started.at(Timer::hold), Seconds(30));
  s.on_keepalive_timer_expires();
  EXPECT_EQ(observe(s).sent.at(0).type, MessageType::keepalive);
}

TEST(BgpFsmEstablished, TreatAsWithdrawIsNotASessionError) {
  Session s = established_session();
  Bytes bad = one_route_update();
  bad[26] = 9;  // ORIGIN value → RFC 7606 §7.1 treat-as-withdraw
  s.on_message(bad);
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::established);
  ASSERT_EQ(o.updates.size(), 1u);
  EXPECT_EQ(o.updates[0].update.action, Rfc7606Action::treat_as_withdraw);
  EXPECT_EQ(o.updates[0].update.update.withdrawn.size(), 1u);
}

TEST(BgpFsmEstablished, ErrorExits) {
  struct Case {
    const char* name;
    Bytes message;
    ErrorCode code;
    std::uint8_t subcode;
  };
  Bytes overrun = one_route_update();
  overrun[19] = 0x7f;  // Withdrawn Routes Length overruns the message
  const std::vector<Case> cases = {
      {"RFC 6608 OPEN in Established", peer_open(), ErrorCode::fsm, 3},
      {"§6.3 UPDATE lengths overrun", overrun, ErrorCode::update_message, 1},
      {"§6.1 bad length", test::cat({test::kMarker, test::h("0014 04 00")}),
       ErrorCode::message_header, 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Session s = established_session();
    s.on_message(c.message);
    auto o = observe(s);
    expect_notification(o, c.code, c.subcode);
    EXPECT_EQ(s.state(), BgpState::idle);
    ASSERT_EQ(o.down.size(), 1u);
    EXPECT_FALSE(o.down[0].graceful);
    EXPECT_EQ(o.started.at(Timer::idle_hold), Seconds(5));
  }
}

TEST(BgpFsmEstablished, HoldTimerExpiry) {
  Session s = established_session();
  s.on_hold_timer_expires();
  auto o = observe(s);
  expect_notification(o, ErrorCode::hold_timer_expired, 0);
  EXPECT_EQ(o.down.at(0).reason, TransitionReason::hold_timer_expired);
  EXPECT_FALSE(o.down.at(0).graceful);  // the peer did not advertise graceful restart
}

TEST(BgpFsmEstablished, GracefulWhenPeerAdvertisedRestart) {
  Session s = established_session(/*gr=*/true);
  s.on_tcp_connection_fails();
  auto o = observe(s);
  ASSERT_EQ(o.down.size(), 1u);
  EXPECT_TRUE(o.down[0].graceful);  // RFC 4724 §4.2: keep routes stale
}

TEST(BgpFsmEstablished, NotificationIsNeverGraceful) {
  Session s = established_session(/*gr=*/true);
  s.on_message(encode_notification({6, 2, {}}));
  auto o = observe(s);
  EXPECT_FALSE(o.down.at(0).graceful);
  EXPECT_EQ(o.down.at(0).reason, TransitionReason::notification_received);
}

TEST(BgpFsmEstablished, RouteRefreshWithCapability) {
  Session s = established_session();
  s.on_message(encode_route_refresh({}));
  auto o = observe(s);
  ASSERT_EQ(o.refreshes.size(), 1u);
  EXPECT_EQ(o.refreshes[0].afi_safi, kIpv4Unicast);
}

TEST(BgpFsmEstablished, RouteRefreshWithoutCapabilityIsBadType) {
  Session s = established_session(false, /*route_refresh=*/false);
  s.on_message(encode_route_refresh({}));
  auto o = observe(s);
  expect_notification(o, ErrorCode::message_header, 3);
}

TEST(BgpFsmEstablished, LocalFailSendsGivenNotification) {
  Session s = established_session();
  // cloud-facts: "Behaviour when >100" [X-AVX]: Cease/1 with AFI 1, SAFI 1, limit 100.
  s.fail(Notification{6, 1, test::h("0001 01 00000064")}, "more than 100 prefixes");
  auto o = observe(s);
  auto n = o.notification();
  ASSERT_TRUE(n);
  EXPECT_EQ(n->data, test::h("000101 00000064"));
  EXPECT_EQ(s.state(), BgpState::idle);
  EXPECT_NE(s.last_error()->text.find("Maximum Number of Prefixes Reached"), std::string::npos);
}

TEST(BgpFsmEstablished, ManualStopSendsAdministrativeShutdown) {
  Session s = established_session();
  s.on_manual_stop();
  auto o = observe(s);
  expect_notification(o, ErrorCode::cease, 2);
  EXPECT_EQ(o.down.at(0).reason, TransitionReason::manual_stop);
}

}  // namespace
}  // namespace vpnlab::bgp
