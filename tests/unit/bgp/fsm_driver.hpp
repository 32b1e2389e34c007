#pragma once
// Test helper: drives a Session and sorts the actions it asks for, so tests assert on
// "what was sent" and "which timers run" instead of on raw action vectors.
#include <gtest/gtest.h>

#include <map>

#include "bgp/core/session.hpp"

namespace vpnlab::bgp::test {

inline SessionConfig aws_like_config() {
  SessionConfig c;
  c.local_asn = Asn{65000};
  c.peer_asn = Asn{64512};
  c.router_id = *Ipv4Address::parse("169.254.21.2");
  c.local_address = c.router_id;
  c.peer_address = *Ipv4Address::parse("169.254.21.1");
  c.hold_time = Seconds(180);
  c.keepalive_time = Seconds(60);
  return c;
}

struct Observed {
  std::vector<action::Send> sent;
  std::map<Timer, Seconds> started;
  std::vector<Timer> stopped;
  int open_tcp = 0;
  std::vector<ConnId> closed;
  std::vector<action::SessionUp> up;
  std::vector<action::SessionDown> down;
  std::vector<action::UpdateReceived> updates;
  std::vector<action::RouteRefreshReceived> refreshes;

  const action::Send* last_sent() const { return sent.empty() ? nullptr : &sent.back(); }
  /// The NOTIFICATION sent, decoded (nullptr if none).
  std::optional<Notification> notification() const {
    for (const auto& s : sent)
      if (s.type == MessageType::notification)
        return std::get<NotificationMessage>(*decode_message(s.bytes, {}));
    return std::nullopt;
  }
};

inline Observed observe(Session& s) {
  Observed o;
  for (auto& a : s.take_actions()) {
    std::visit(
        [&](auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, action::Send>) o.sent.push_back(x);
          if constexpr (std::is_same_v<T, action::StartTimer>) o.started[x.timer] = x.after;
          if constexpr (std::is_same_v<T, action::StopTimer>) {
            o.stopped.push_back(x.timer);
            o.started.erase(x.timer);
          }
          if constexpr (std::is_same_v<T, action::OpenTcp>) ++o.open_tcp;
          if constexpr (std::is_same_v<T, action::CloseTcp>) o.closed.push_back(x.conn);
          if constexpr (std::is_same_v<T, action::SessionUp>) o.up.push_back(x);
          if constexpr (std::is_same_v<T, action::SessionDown>) o.down.push_back(x);
          if constexpr (std::is_same_v<T, action::UpdateReceived>) o.updates.push_back(x);
          if constexpr (std::is_same_v<T, action::RouteRefreshReceived>) o.refreshes.push_back(x);
        },
        a);
  }
  return o;
}

inline Bytes peer_open(Asn asn = Asn{64512}, Seconds hold = Seconds(30), bool gr = false,
                       bool route_refresh = true) {
  Capabilities caps;
  caps.multiprotocol = {kIpv4Unicast};
  caps.route_refresh = route_refresh;
  if (gr)
    caps.graceful_restart = GracefulRestartCapability{false, Seconds(120), {{kIpv4Unicast, true}}};
  return encode_open(make_open(asn, hold, *Ipv4Address::parse("10.255.0.1"), caps));
}

constexpr ConnId kConn = 7;

inline Session in_open_sent(SessionConfig cfg = aws_like_config()) {
  Session s(cfg);
  s.on_manual_start();
  s.on_tcp_connection_confirmed(kConn);
  s.take_actions();
  return s;
}
inline Session in_open_confirm(SessionConfig cfg = aws_like_config(), bool gr = false) {
  Session s = in_open_sent(cfg);
  s.on_message(peer_open(Asn{64512}, Seconds(30), gr));
  s.take_actions();
  return s;
}
inline Session in_established(SessionConfig cfg = aws_like_config(), bool gr = false) {
  Session s = in_open_confirm(cfg, gr);
  s.on_message(encode_keepalive());
  s.take_actions();
  return s;
}

inline void expect_notification(const Observed& o, ErrorCode code, std::uint8_t sub) {
  auto n = o.notification();
  ASSERT_TRUE(n) << "no NOTIFICATION sent";
  EXPECT_EQ(n->code, static_cast<std::uint8_t>(code));
  EXPECT_EQ(n->subcode, sub);
}

}  // namespace vpnlab::bgp::test
