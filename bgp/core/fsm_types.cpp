#include "bgp/core/fsm_types.hpp"

namespace vpnlab::bgp {

const char* to_string(BgpState s) {
  switch (s) {
    case BgpState::idle:
      return "Idle";
    case BgpState::connect:
      return "Connect";
    case BgpState::active:
      return "Active";
    case BgpState::open_sent:
      return "OpenSent";
    case BgpState::open_confirm:
      return "OpenConfirm";
    case BgpState::established:
      return "Established";
  }
  return "?";
}

const char* to_string(Event e) {
  switch (e) {
    case Event::manual_start:
      return "ManualStart";
    case Event::manual_stop:
      return "ManualStop";
    case Event::automatic_start:
      return "AutomaticStart";
    case Event::manual_start_with_passive_tcp:
      return "ManualStart_with_PassiveTcpEstablishment";
    case Event::automatic_start_with_passive_tcp:
      return "AutomaticStart_with_PassiveTcpEstablishment";
    case Event::connect_retry_timer_expires:
      return "ConnectRetryTimer_Expires";
    case Event::hold_timer_expires:
      return "HoldTimer_Expires";
    case Event::keepalive_timer_expires:
      return "KeepaliveTimer_Expires";
    case Event::idle_hold_timer_expires:
      return "IdleHoldTimer_Expires";
    case Event::tcp_connection_confirmed:
      return "TcpConnectionConfirmed";
    case Event::tcp_connection_fails:
      return "TcpConnectionFails";
    case Event::bgp_open:
      return "BGPOpen";
    case Event::bgp_header_err:
      return "BGPHeaderErr";
    case Event::bgp_open_msg_err:
      return "BGPOpenMsgErr";
    case Event::open_collision_dump:
      return "OpenCollisionDump";
    case Event::notif_msg:
      return "NotifMsg";
    case Event::keep_alive_msg:
      return "KeepAliveMsg";
    case Event::update_msg:
      return "UpdateMsg";
    case Event::update_msg_err:
      return "UpdateMsgErr";
    case Event::route_refresh_msg:
      return "RouteRefreshMsg";
  }
  return "?";
}

const char* to_string(Timer t) {
  switch (t) {
    case Timer::connect_retry:
      return "ConnectRetryTimer";
    case Timer::hold:
      return "HoldTimer";
    case Timer::keepalive:
      return "KeepaliveTimer";
    case Timer::idle_hold:
      return "IdleHoldTimer";
    case Timer::graceful_restart:
      return "RestartTimer";
  }
  return "?";
}

const char* to_string(TransitionReason r) {
  switch (r) {
    case TransitionReason::none:
      return "none";
    case TransitionReason::manual_start:
      return "manual start";
    case TransitionReason::automatic_start:
      return "automatic start";
    case TransitionReason::manual_stop:
      return "manual stop";
    case TransitionReason::connect_retry_timer_expired:
      return "connect retry timer expired";
    case TransitionReason::tcp_connection_confirmed:
      return "TCP connection confirmed";
    case TransitionReason::tcp_connection_failed:
      return "TCP connection failed";
    case TransitionReason::open_received:
      return "OPEN received";
    case TransitionReason::keepalive_received:
      return "KEEPALIVE received";
    case TransitionReason::hold_timer_expired:
      return "hold timer expired";
    case TransitionReason::notification_received:
      return "NOTIFICATION received";
    case TransitionReason::notification_sent:
      return "NOTIFICATION sent";
    case TransitionReason::collision_resolution:
      return "connection collision resolution";
  }
  return "?";
}

}  // namespace vpnlab::bgp
