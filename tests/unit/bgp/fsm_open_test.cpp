// RFC 4271 §8.2.2 OpenSent and OpenConfirm: OPEN processing, hold time negotiation
// (§4.2), and the error exits (§6.2 OPEN errors, §6.5 hold timer, RFC 6608 FSM errors).
#include <gtest/gtest.h>

#include "fsm_driver.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

TEST(BgpFsmOpenSent, ValidOpenNegotiatesHoldTime) {
  Session s = in_open_sent();  // we propose 180/60 (Azure), the peer 30 (AWS)
  s.on_message(peer_open(Asn{64512}, Seconds(30)));
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::open_confirm);
  ASSERT_EQ(o.sent.size(), 1u);
  EXPECT_EQ(o.sent[0].type, MessageType::keepalive);
  ASSERT_TRUE(s.negotiated());
  EXPECT_EQ(s.negotiated()->hold_time, Seconds(30));       // min(180, 30)
  EXPECT_EQ(s.negotiated()->keepalive_time, Seconds(10));  // hold / 3
  EXPECT_EQ(o.started.at(Timer::hold), Seconds(30));
  EXPECT_EQ(o.started.at(Timer::keepalive), Seconds(10));
  EXPECT_TRUE(s.negotiated()->codec.four_octet_as);
}

// RFC 6793 §4: a peer without the 4-octet AS capability gets 2-octet AS_PATHs.
TEST(BgpFsmOpenSent, TwoOctetPeerNegotiatesTwoOctetCodec) {
  Session s = in_open_sent();
  OpenMessage old;
  old.my_as = 64512;
  old.hold_time = Seconds(90);
  old.bgp_identifier = *Ipv4Address::parse("10.255.0.1");
  s.on_message(encode_open(old));
  ASSERT_EQ(s.state(), BgpState::open_confirm);
  EXPECT_FALSE(s.negotiated()->codec.four_octet_as);
  EXPECT_FALSE(s.negotiated()->route_refresh);
  EXPECT_EQ(s.negotiated()->hold_time, Seconds(90));
  EXPECT_EQ(s.negotiated()->keepalive_time, Seconds(30));
}

TEST(BgpFsmOpenSent, HoldTimeZeroMeansNoKeepalives) {
  Session s = in_open_sent();
  s.on_message(peer_open(Asn{64512}, Seconds(0)));
  auto o = observe(s);
  EXPECT_EQ(s.negotiated()->hold_time, Seconds(0));
  EXPECT_FALSE(o.started.count(Timer::hold));
  EXPECT_FALSE(o.started.count(Timer::keepalive));
}

struct OpenErrorCase {
  const char* name;
  Bytes open;
  ErrorCode code;
  std::uint8_t subcode;
};

TEST(BgpFsmOpenSent, OpenErrorsSendNotificationAndGoIdle) {
  Bytes v3 = peer_open();
  v3[19] = 3;
  Bytes hold2 = peer_open(Asn{64512}, Seconds(3));
  hold2[23] = 2;
  Bytes bad_marker = peer_open();
  bad_marker[0] = 0;
  const std::vector<OpenErrorCase> cases = {
      {"§6.2 Bad Peer AS", peer_open(Asn{64999}), ErrorCode::open_message, 2},
      {"§6.2 Unsupported Version", v3, ErrorCode::open_message, 1},
      {"§6.2 Unacceptable Hold Time 2", hold2, ErrorCode::open_message, 6},
      {"§6.1 Connection Not Synchronized", bad_marker, ErrorCode::message_header, 1},
      {"RFC 6608 KEEPALIVE in OpenSent", encode_keepalive(), ErrorCode::fsm, 1},
      {"RFC 6608 UPDATE in OpenSent", encode_end_of_rib(), ErrorCode::fsm, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Session s = in_open_sent();
    s.on_message(c.open);
    auto o = observe(s);
    expect_notification(o, c.code, c.subcode);
    EXPECT_EQ(s.state(), BgpState::idle);
    EXPECT_EQ(o.closed, std::vector<ConnId>{kConn});
    ASSERT_TRUE(s.last_error());
    EXPECT_TRUE(s.last_error()->sent);
    EXPECT_EQ(s.last_error()->notification.subcode, c.subcode);
    EXPECT_EQ(s.last_reason(), TransitionReason::notification_sent);
  }
}

TEST(BgpFsmOpenSent, InternalPeerWithOurIdentifierIsRejected) {
  auto cfg = aws_like_config();
  cfg.peer_asn = cfg.local_asn;
  cfg.router_id = *Ipv4Address::parse("10.255.0.1");  // what peer_open() uses
  Session s = in_open_sent(cfg);
  s.on_message(peer_open(Asn{65000}));
  expect_notification(observe(s), ErrorCode::open_message, 3);
}

TEST(BgpFsmOpenSent, HoldTimerExpirySendsHoldTimerExpired) {
  Session s = in_open_sent();
  s.on_hold_timer_expires();
  auto o = observe(s);
  expect_notification(o, ErrorCode::hold_timer_expired, 0);
  EXPECT_EQ(s.last_reason(), TransitionReason::hold_timer_expired);
}

TEST(BgpFsmOpenSent, TcpFailureGoesActive) {
  Session s = in_open_sent();
  s.on_tcp_connection_fails();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::active);
  EXPECT_EQ(o.started.at(Timer::connect_retry), Seconds(5));
}

TEST(BgpFsmOpenSent, NotificationReceivedIsRecordedNotAnswered) {
  Session s = in_open_sent();
  s.on_message(encode_notification(Notification{2, 2, {}}));
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::idle);
  EXPECT_FALSE(o.notification());
  ASSERT_TRUE(s.last_error());
  EXPECT_FALSE(s.last_error()->sent);
  EXPECT_EQ(s.last_error()->text, "received OPEN Message Error/Bad Peer AS");
}

TEST(BgpFsmOpenSent, CollisionDumpSendsCeaseSeven) {
  Session s = in_open_sent();
  s.on_open_collision_dump();
  auto o = observe(s);
  expect_notification(o, ErrorCode::cease, 7);
  EXPECT_FALSE(o.started.count(Timer::idle_hold));
}

TEST(BgpFsmOpenConfirm, KeepaliveEstablishes) {
  Session s = in_open_confirm();
  s.on_message(encode_keepalive());
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::established);
  ASSERT_EQ(o.up.size(), 1u);
  EXPECT_EQ(o.up[0].negotiated.peer_asn, Asn{64512});
  EXPECT_EQ(o.started.at(Timer::hold), Seconds(30));
}

TEST(BgpFsmOpenConfirm, KeepaliveTimerSendsKeepalive) {
  Session s = in_open_confirm();
  s.on_keepalive_timer_expires();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::open_confirm);
  EXPECT_EQ(o.sent.at(0).type, MessageType::keepalive);
  EXPECT_EQ(o.started.at(Timer::keepalive), Seconds(10));
}

TEST(BgpFsmOpenConfirm, ErrorExits) {
  struct Case {
    const char* name;
    void (*event)(Session&);
    std::optional<std::pair<ErrorCode, std::uint8_t>> notification;
  };
  const std::vector<Case> cases = {
      {"hold timer", [](Session& s) { s.on_hold_timer_expires(); },
       std::make_pair(ErrorCode::hold_timer_expired, std::uint8_t{0})},
      {"RFC 6608 UPDATE in OpenConfirm", [](Session& s) { s.on_message(encode_end_of_rib()); },
       std::make_pair(ErrorCode::fsm, std::uint8_t{2})},
      {"RFC 6608 OPEN in OpenConfirm", [](Session& s) { s.on_message(peer_open()); },
       std::make_pair(ErrorCode::fsm, std::uint8_t{2})},
      {"collision", [](Session& s) { s.on_open_collision_dump(); },
       std::make_pair(ErrorCode::cease, std::uint8_t{7})},
      {"header error", [](Session& s) { s.on_message(test::h("ff")); },
       std::make_pair(ErrorCode::message_header, std::uint8_t{1})},
      {"TCP failure", [](Session& s) { s.on_tcp_connection_fails(); }, std::nullopt},
      {"NOTIFICATION",
       [](Session& s) {
         s.on_message(encode_notification({6, 4, {}}));
       },
       std::nullopt},
      {"manual stop", [](Session& s) { s.on_manual_stop(); },
       std::make_pair(ErrorCode::cease, std::uint8_t{2})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Session s = in_open_confirm();
    c.event(s);
    auto o = observe(s);
    EXPECT_EQ(s.state(), BgpState::idle);
    EXPECT_TRUE(o.down.empty());  // never Established
    if (c.notification)
      expect_notification(o, c.notification->first, c.notification->second);
    else
      EXPECT_FALSE(o.notification());
  }
}

}  // namespace
}  // namespace vpnlab::bgp
