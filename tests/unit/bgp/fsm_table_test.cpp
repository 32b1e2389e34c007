// RFC 4271 §8.2.2: the remaining (state, event) pairs as one table — the state reached,
// whether a NOTIFICATION goes out (and which), and whether the automatic restart is armed.
#include <gtest/gtest.h>

#include "bgp/core/bgp_core.hpp"
#include "fsm_driver.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

Session reach(BgpState s, bool passive = false) {
  auto cfg = aws_like_config();
  cfg.passive = passive;
  Session x(cfg);
  if (s == BgpState::idle) return x;
  x.on_manual_start();
  if (s == BgpState::active && !passive) x.on_tcp_connection_fails();
  if (s == BgpState::connect || s == BgpState::active) return (x.take_actions(), x);
  x.on_tcp_connection_confirmed(7);
  if (s != BgpState::open_sent) x.on_message(peer_open());
  if (s == BgpState::established) x.on_message(encode_keepalive());
  x.take_actions();
  return x;
}

struct Row {
  BgpState from;
  const char* event;
  void (*fire)(Session&);
  BgpState to;
  std::optional<std::pair<std::uint8_t, std::uint8_t>> notification;
  bool restart_armed;
};

TEST(BgpFsmTable, RemainingTransitions) {
  auto stop = [](Session& s) { s.on_manual_stop(); };
  auto retry = [](Session& s) { s.on_connect_retry_timer_expires(); };
  auto keepalive_timer = [](Session& s) { s.on_keepalive_timer_expires(); };
  auto hold = [](Session& s) { s.on_hold_timer_expires(); };
  auto ka = [](Session& s) { s.on_message(encode_keepalive()); };
  auto notif = [](Session& s) { s.on_message(encode_notification({6, 2, {}})); };
  const std::vector<Row> rows = {
      {BgpState::idle, "ManualStop ignored", stop, BgpState::idle, std::nullopt, false},
      {BgpState::idle, "KEEPALIVE ignored", ka, BgpState::idle, std::nullopt, false},
      {BgpState::idle, "HoldTimer ignored", hold, BgpState::idle, std::nullopt, false},
      {BgpState::active, "ManualStop", stop, BgpState::idle, std::nullopt, false},
      {BgpState::active, "HoldTimer (unexpected)", hold, BgpState::idle, std::nullopt, true},
      {BgpState::connect, "KeepaliveTimer (unexpected)", keepalive_timer, BgpState::idle,
       std::nullopt, true},
      {BgpState::open_sent, "ManualStop", stop, BgpState::idle, std::make_pair(6, 2), false},
      {BgpState::open_sent, "ConnectRetry (RFC 6608 OpenSent)", retry, BgpState::idle,
       std::make_pair(5, 1), true},
      {BgpState::open_sent, "KeepaliveTimer (RFC 6608 OpenSent)", keepalive_timer, BgpState::idle,
       std::make_pair(5, 1), true},
      {BgpState::open_confirm, "ConnectRetry (RFC 6608 OpenConfirm)", retry, BgpState::idle,
       std::make_pair(5, 2), true},
      {BgpState::established, "ConnectRetry (RFC 6608 Established)", retry, BgpState::idle,
       std::make_pair(5, 3), true},
      {BgpState::established, "NOTIFICATION", notif, BgpState::idle, std::nullopt, true},
      {BgpState::established, "KeepaliveTimer", keepalive_timer, BgpState::established,
       std::nullopt, false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(to_string(r.from)) + " + " + r.event);
    Session s = reach(r.from);
    ASSERT_EQ(s.state(), r.from);
    r.fire(s);
    auto o = observe(s);
    EXPECT_EQ(s.state(), r.to);
    if (r.notification)
      expect_notification(o, static_cast<ErrorCode>(r.notification->first), r.notification->second);
    else
      EXPECT_FALSE(o.notification());
    EXPECT_EQ(o.started.count(Timer::idle_hold) > 0, r.restart_armed);
  }
}

class FixedClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return {}; }
};

// RFC 4271 §6.8: a new connection while the session is Established is closed; the
// established connection carries on.
TEST(BgpCoreCollision, ConnectionWhileEstablishedIsClosed) {
  FixedClock clock;
  BgpCore core(CoreConfig{Asn{65000}, *Ipv4Address::parse("169.254.21.2"), true, {}}, clock);
  PeerConfig pc;
  pc.session = aws_like_config();
  core.add_peer(pc);
  Ipv4Address peer = pc.session.peer_address;
  core.start_peer(peer);
  core.on_tcp_connected(peer, 1, true);
  core.on_message(peer, 1, peer_open());
  core.on_message(peer, 1, encode_keepalive());
  ASSERT_EQ(core.status().peers.at(0).state, BgpState::established);
  core.take_io();
  core.on_tcp_connected(peer, 2, false);
  bool closed_new = false;
  for (auto& io : core.take_io())
    if (auto* c = std::get_if<action::CloseTcp>(&io.action)) closed_new = c->conn == 2;
  EXPECT_TRUE(closed_new);
  EXPECT_EQ(core.status().peers.at(0).state, BgpState::established);
}

}  // namespace
}  // namespace vpnlab::bgp
