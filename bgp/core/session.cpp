#include "bgp/core/session.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "bgp/codec/notification_data.hpp"

namespace vpnlab::bgp {

namespace {
Notification make_notification(ErrorCode code, std::uint8_t sub, Bytes data = {}) {
  return Notification{static_cast<std::uint8_t>(code), sub, std::move(data)};
}
}  // namespace

// ---- public event handlers (RFC 4271 §8.1) ----

void Session::on_manual_start() {
  auto_restart_ = true;
  dispatch({config_.passive ? Event::manual_start_with_passive_tcp : Event::manual_start});
}
void Session::on_manual_stop() {
  dispatch({Event::manual_stop});
}
void Session::on_connect_retry_timer_expires() {
  dispatch({Event::connect_retry_timer_expires});
}
void Session::on_hold_timer_expires() {
  dispatch({Event::hold_timer_expires});
}
void Session::on_keepalive_timer_expires() {
  dispatch({Event::keepalive_timer_expires});
}
void Session::on_idle_hold_timer_expires() {
  dispatch({Event::idle_hold_timer_expires});
}
void Session::on_tcp_connection_confirmed(ConnId conn) {
  dispatch({Event::tcp_connection_confirmed, nullptr, nullptr, conn});
}
void Session::on_tcp_connection_fails() {
  dispatch({Event::tcp_connection_fails});
}
void Session::on_open_collision_dump() {
  dispatch({Event::open_collision_dump});
}
void Session::on_incoming_connection(ConnId conn) {
  auto_restart_ = true;
  outgoing_ = false;
  dispatch({Event::manual_start_with_passive_tcp});
  dispatch({Event::tcp_connection_confirmed, nullptr, nullptr, conn});
}

void Session::on_timer_expires(Timer t) {
  switch (t) {
    case Timer::connect_retry:
      return on_connect_retry_timer_expires();
    case Timer::hold:
      return on_hold_timer_expires();
    case Timer::keepalive:
      return on_keepalive_timer_expires();
    case Timer::idle_hold:
      return on_idle_hold_timer_expires();
    case Timer::graceful_restart:
      return;  // owned by BgpCore
  }
}

void Session::on_message(ByteSpan message) {
  CodecOptions opts = negotiated_ ? negotiated_->codec : CodecOptions{true, config_.ebgp()};
  auto m = decode_message(message, opts);
  if (!m) {
    const DecodeError& e = m.error();
    Event kind = e.notification.code == static_cast<std::uint8_t>(ErrorCode::open_message)
                     ? Event::bgp_open_msg_err
                 : e.notification.code == static_cast<std::uint8_t>(ErrorCode::update_message)
                     ? Event::update_msg_err
                     : Event::bgp_header_err;
    return dispatch({kind, nullptr, &e});
  }
  Event kind = Event::keep_alive_msg;
  switch (m->index()) {
    case 0:
      kind = Event::bgp_open;
      break;
    case 1:
      kind = Event::update_msg;
      break;
    case 2:
      kind = Event::notif_msg;
      break;
    case 3:
      kind = Event::keep_alive_msg;
      break;
    case 4:
      kind = Event::route_refresh_msg;
      break;
  }
  if (kind == Event::notif_msg) {
    const auto& n = std::get<NotificationMessage>(*m);
    last_error_ = LastError{n, false, "received " + notification_name(n), ""};
  }
  dispatch({kind, &*m});
}

void Session::fail(Notification n, std::string why) {
  if (state_ == BgpState::idle || conn_ == 0) return;
  fail_with(std::move(n), std::move(why), TransitionReason::notification_sent, true);
}

// RFC 4271 §6.5: Hold Timer Expired, no subcode.
void Session::fail_hold_timer() {
  fail_with(make_notification(ErrorCode::hold_timer_expired, 0), "hold timer expired",
            TransitionReason::hold_timer_expired, true);
}

// RFC 4271 §6.8 / RFC 4486: the losing connection of a collision closes with Cease/7 and
// does not restart (the winning connection carries the session).
void Session::dump_collision() {
  fail_with(make_notification(ErrorCode::cease, static_cast<std::uint8_t>(
                                                    CeaseSubcode::connection_collision_resolution)),
            "collision resolution", TransitionReason::collision_resolution, false);
}

void Session::dispatch(const Ev& e) {
  switch (state_) {
    case BgpState::idle:
      return in_idle(e);
    case BgpState::connect:
      return in_connect(e);
    case BgpState::active:
      return in_active(e);
    case BgpState::open_sent:
      return in_open_sent(e);
    case BgpState::open_confirm:
      return in_open_confirm(e);
    case BgpState::established:
      return in_established(e);
  }
}

// ---- per-state handlers (RFC 4271 §8.2.2) ----

void Session::in_idle(const Ev& e) {
  switch (e.kind) {
    case Event::manual_start:
      return start(false, TransitionReason::manual_start);
    case Event::manual_start_with_passive_tcp:
      return start(true, TransitionReason::manual_start);
    case Event::idle_hold_timer_expires:
      if (auto_restart_) start(config_.passive, TransitionReason::automatic_start);
      return;
    case Event::tcp_connection_confirmed:
      // Idle refuses incoming connections.
      actions_.push_back(action::CloseTcp{e.conn});
      return;
    default:
      return;  // "any other event ... is ignored"
  }
}

void Session::in_connect(const Ev& e) {
  switch (e.kind) {
    case Event::manual_stop:
      return stop_administratively();
    case Event::connect_retry_timer_expires:
      // Drop the pending attempt, restart the timer, initiate again; stay in Connect.
      actions_.push_back(action::OpenTcp{});
      start_timer(Timer::connect_retry, config_.connect_retry_time);
      last_reason_ = TransitionReason::connect_retry_timer_expired;
      return;
    case Event::tcp_connection_confirmed:
      return accept_connection(e.conn);
    case Event::tcp_connection_fails:
      start_timer(Timer::connect_retry, config_.connect_retry_time);
      return enter(BgpState::active, TransitionReason::tcp_connection_failed);
    default:
      return go_idle(TransitionReason::none, true);
  }
}

void Session::in_active(const Ev& e) {
  switch (e.kind) {
    case Event::manual_stop:
      return stop_administratively();
    case Event::connect_retry_timer_expires:
      if (config_.passive) return;
      actions_.push_back(action::OpenTcp{});
      start_timer(Timer::connect_retry, config_.connect_retry_time);
      return enter(BgpState::connect, TransitionReason::connect_retry_timer_expired);
    case Event::tcp_connection_confirmed:
      return accept_connection(e.conn);
    case Event::tcp_connection_fails:
      return go_idle(TransitionReason::tcp_connection_failed, true);
    default:
      return go_idle(TransitionReason::none, true);
  }
}

void Session::in_open_sent(const Ev& e) {
  switch (e.kind) {
    case Event::manual_stop:
      return stop_administratively();
    case Event::hold_timer_expires:
      return fail_hold_timer();
    case Event::tcp_connection_fails:
      drop_connection();
      start_timer(Timer::connect_retry, config_.connect_retry_time);
      return enter(BgpState::active, TransitionReason::tcp_connection_failed);
    case Event::bgp_open:
      return process_open(std::get<OpenMessage>(*e.message));
    case Event::bgp_header_err:
    case Event::bgp_open_msg_err:
      return fail_decode(*e.error);
    case Event::open_collision_dump:
      return dump_collision();
    case Event::notif_msg:
      return go_idle(TransitionReason::notification_received, true);
    default:
      return fail_fsm();
  }
}

// Events OpenConfirm and Established handle alike (RFC 4271 §8.2.2); true if handled.
bool Session::handle_after_open(const Ev& e) {
  switch (e.kind) {
    case Event::manual_stop:
      stop_administratively();
      return true;
    case Event::hold_timer_expires:
      fail_hold_timer();
      return true;
    case Event::keepalive_timer_expires:
      send_keepalive();
      return true;
    case Event::tcp_connection_fails:
      go_idle(TransitionReason::tcp_connection_failed, true);
      return true;
    case Event::notif_msg:
      go_idle(TransitionReason::notification_received, true);
      return true;
    case Event::open_collision_dump:
      dump_collision();
      return true;
    default:
      return false;
  }
}

void Session::in_open_confirm(const Ev& e) {
  if (handle_after_open(e)) return;
  switch (e.kind) {
    case Event::keep_alive_msg:
      restart_hold_timer();
      enter(BgpState::established, TransitionReason::keepalive_received);
      actions_.push_back(action::SessionUp{*negotiated_});
      return;
    case Event::bgp_header_err:
    case Event::bgp_open_msg_err:
      return fail_decode(*e.error);
    default:
      return fail_fsm();
  }
}

void Session::in_established(const Ev& e) {
  if (handle_after_open(e)) return;
  switch (e.kind) {
    case Event::keep_alive_msg:
      return restart_hold_timer();
    case Event::update_msg:
      restart_hold_timer();
      actions_.push_back(action::UpdateReceived{std::get<DecodedUpdate>(*e.message)});
      return;
    case Event::route_refresh_msg:
      // RFC 2918 §4: only meaningful when the capability was exchanged; otherwise the
      // type is not one this session knows (RFC 4271 §6.1 Bad Message Type).
      if (!negotiated_->route_refresh)
        return fail_with(
            make_notification(ErrorCode::message_header,
                              static_cast<std::uint8_t>(HeaderSubcode::bad_message_type), Bytes{5}),
            "ROUTE-REFRESH without the capability", TransitionReason::notification_sent, true);
      restart_hold_timer();
      actions_.push_back(
          action::RouteRefreshReceived{std::get<RouteRefreshMessage>(*e.message).afi_safi});
      return;
    case Event::bgp_header_err:
    case Event::update_msg_err:
      return fail_decode(*e.error);
    default:
      return fail_fsm();
  }
}

}  // namespace vpnlab::bgp
