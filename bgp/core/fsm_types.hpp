#pragma once
// Vocabulary of the session FSM: states (RFC 4271 §8.2.2), events (§8.1, numbered as in the
// RFC), timers, typed transition reasons, and the actions the FSM asks its owner to run.
// Actions carry the id of the TCP connection they concern, so a peer with two connections
// during a collision (§6.8) keeps them apart; timers of a session without a connection use
// connection id 0.

#include <optional>
#include <string>
#include <variant>

#include "bgp/codec/message.hpp"

namespace vpnlab::bgp {

enum class BgpState : std::uint8_t { idle, connect, active, open_sent, open_confirm, established };
/// RFC spelling: "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established".
const char* to_string(BgpState s);

/// RFC 4271 §8.1 event numbers (route_refresh_msg is RFC 2918's addition).
enum class Event : std::uint8_t {
  manual_start = 1,
  manual_stop = 2,
  automatic_start = 3,
  manual_start_with_passive_tcp = 4,
  automatic_start_with_passive_tcp = 5,
  connect_retry_timer_expires = 9,
  hold_timer_expires = 10,
  keepalive_timer_expires = 11,
  idle_hold_timer_expires = 13,
  tcp_connection_confirmed = 17,
  tcp_connection_fails = 18,
  bgp_open = 19,
  bgp_header_err = 21,
  bgp_open_msg_err = 22,
  open_collision_dump = 23,
  notif_msg = 25,
  keep_alive_msg = 26,
  update_msg = 27,
  update_msg_err = 28,
  route_refresh_msg = 100,
};
const char* to_string(Event e);

/// Session timers (RFC 4271 §8) plus the RFC 4724 §4.2 restart timer, which the route
/// layer (BgpCore) owns.
enum class Timer : std::uint8_t { connect_retry, hold, keepalive, idle_hold, graceful_restart };
const char* to_string(Timer t);

/// Why the FSM changed state (GoBGP fsmStateReasonType); shown in status.
enum class TransitionReason : std::uint8_t {
  none,
  manual_start,
  automatic_start,
  manual_stop,
  connect_retry_timer_expired,
  tcp_connection_confirmed,
  tcp_connection_failed,
  open_received,
  keepalive_received,
  hold_timer_expired,
  notification_received,
  notification_sent,  // a protocol error we detected (fail())
  collision_resolution,
};
const char* to_string(TransitionReason r);

using ConnId = std::uint64_t;

/// The last error of a session, for status (BIRD bgp_store_error).
struct LastError {
  Notification notification;
  bool sent = false;   // true: we sent it; false: the peer did
  std::string text;    // "sent Cease/Maximum Number of Prefixes Reached: ..."
  std::string reason;  // why we sent it ("more than 100 prefixes"); empty when received
};

/// What OPEN negotiation settled (RFC 4271 §4.2, RFC 5492).
struct Negotiated {
  Asn peer_asn;
  Ipv4Address peer_id;
  Seconds hold_time{0};
  Seconds keepalive_time{0};
  Capabilities peer_capabilities;
  CodecOptions codec;
  bool route_refresh = false;
};

namespace action {
struct OpenTcp {};  // initiate a TCP connection to the peer
struct CloseTcp {
  ConnId conn = 0;
};
struct Send {
  ConnId conn = 0;
  MessageType type = MessageType::keepalive;
  Bytes bytes;
};
struct StartTimer {
  ConnId conn = 0;
  Timer timer = Timer::hold;
  Seconds after{0};
};
struct StopTimer {
  ConnId conn = 0;
  Timer timer = Timer::hold;
};
struct SessionUp {
  Negotiated negotiated;
};
struct SessionDown {
  TransitionReason reason = TransitionReason::none;
  bool graceful = false;  // RFC 4724 §4.2: keep routes stale (TCP failure, hold expiry)
};
struct UpdateReceived {
  DecodedUpdate update;
};
struct RouteRefreshReceived {
  AfiSafi afi_safi;
};
}  // namespace action

using Action = std::variant<action::OpenTcp, action::CloseTcp, action::Send, action::StartTimer,
                            action::StopTimer, action::SessionUp, action::SessionDown,
                            action::UpdateReceived, action::RouteRefreshReceived>;

}  // namespace vpnlab::bgp
