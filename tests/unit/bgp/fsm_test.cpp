// RFC 4271 §8.2.2 session FSM: each state's transitions, including every error path
// (NOTIFICATION code/subcode per RFC 4271 §6 and RFC 6608).
#include <gtest/gtest.h>

#include "fsm_driver.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

// ---- Idle ----

TEST(BgpFsmIdle, ManualStartConnectsAtOnce) {
  Session s(aws_like_config());
  s.on_manual_start();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::connect);
  EXPECT_EQ(o.open_tcp, 1);
  EXPECT_EQ(o.started.at(Timer::connect_retry), Seconds(5));
  EXPECT_EQ(s.last_reason(), TransitionReason::manual_start);
}

TEST(BgpFsmIdle, PassiveStartOnlyListens) {
  auto cfg = aws_like_config();
  cfg.passive = true;  // cloud-facts: "APIPA passivity" [Z-AWS-OLD]
  Session s(cfg);
  s.on_manual_start();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::active);
  EXPECT_EQ(o.open_tcp, 0);
  EXPECT_FALSE(o.started.count(Timer::connect_retry));
  s.on_connect_retry_timer_expires();
  EXPECT_EQ(observe(s).open_tcp, 0);
  EXPECT_EQ(s.state(), BgpState::active);
}

TEST(BgpFsmIdle, RefusesIncomingConnection) {
  Session s(aws_like_config());
  s.on_tcp_connection_confirmed(kConn);
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::idle);
  EXPECT_EQ(o.closed, std::vector<ConnId>{kConn});
}

TEST(BgpFsmIdle, IdleHoldTimerRestartsAutomatically) {
  Session s = in_open_sent();
  s.on_hold_timer_expires();
  auto o = observe(s);
  EXPECT_EQ(o.started.at(Timer::idle_hold), Seconds(5));
  s.on_idle_hold_timer_expires();
  o = observe(s);
  EXPECT_EQ(s.state(), BgpState::connect);
  EXPECT_EQ(s.last_reason(), TransitionReason::automatic_start);
  EXPECT_EQ(o.open_tcp, 1);
}

TEST(BgpFsmIdle, StoppedSessionDoesNotRestart) {
  Session s = in_established();
  s.on_manual_stop();
  auto o = observe(s);
  expect_notification(o, ErrorCode::cease, 2);  // RFC 4486 Administrative Shutdown
  EXPECT_FALSE(o.started.count(Timer::idle_hold));
  s.on_idle_hold_timer_expires();
  EXPECT_EQ(s.state(), BgpState::idle);
}

// ---- Connect / Active ----

TEST(BgpFsmConnect, ConnectRetryExpiryRetries) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.take_actions();
  s.on_connect_retry_timer_expires();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::connect);
  EXPECT_EQ(o.open_tcp, 1);
  EXPECT_EQ(o.started.at(Timer::connect_retry), Seconds(5));
}

TEST(BgpFsmConnect, TcpConfirmedSendsOpen) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.take_actions();
  s.on_tcp_connection_confirmed(kConn);
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::open_sent);
  ASSERT_EQ(o.sent.size(), 1u);
  EXPECT_EQ(o.sent[0].conn, kConn);
  auto open = std::get<OpenMessage>(*decode_message(o.sent[0].bytes, {}));
  EXPECT_EQ(open.hold_time, Seconds(180));
  EXPECT_EQ(open.asn(), Asn{65000});
  EXPECT_TRUE(open.capabilities.graceful_restart);
  EXPECT_EQ(o.started.at(Timer::hold), Seconds(240));  // §8.2.2 "large value"
}

TEST(BgpFsmConnect, TcpFailureGoesActive) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.take_actions();
  s.on_tcp_connection_fails();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::active);
  EXPECT_EQ(o.started.at(Timer::connect_retry), Seconds(5));
}

TEST(BgpFsmConnect, ManualStopGoesIdle) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.take_actions();
  s.on_manual_stop();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::idle);
  EXPECT_FALSE(o.notification());
}

TEST(BgpFsmConnect, UnexpectedEventGoesIdle) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.take_actions();
  s.on_hold_timer_expires();
  EXPECT_EQ(s.state(), BgpState::idle);
}

TEST(BgpFsmActive, RetryExpiryConnects) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.on_tcp_connection_fails();
  s.take_actions();
  s.on_connect_retry_timer_expires();
  auto o = observe(s);
  EXPECT_EQ(s.state(), BgpState::connect);
  EXPECT_EQ(o.open_tcp, 1);
}

TEST(BgpFsmActive, IncomingConnectionSendsOpen) {
  auto cfg = aws_like_config();
  cfg.passive = true;
  Session s(cfg);
  s.on_manual_start();
  s.on_tcp_connection_confirmed(kConn);
  EXPECT_EQ(s.state(), BgpState::open_sent);
  EXPECT_EQ(observe(s).sent.at(0).type, MessageType::open);
}

TEST(BgpFsmActive, TcpFailureGoesIdle) {
  Session s(aws_like_config());
  s.on_manual_start();
  s.on_tcp_connection_fails();
  s.on_tcp_connection_fails();
  EXPECT_EQ(s.state(), BgpState::idle);
  EXPECT_EQ(s.connect_retry_counter(), 1u);
}

}  // namespace
}  // namespace vpnlab::bgp
