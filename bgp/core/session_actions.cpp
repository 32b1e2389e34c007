// Session FSM: the actions shared by the per-state handlers in session.cpp (starting,
// accepting a connection, OPEN processing, the one fail() exit, timers).
#include <algorithm>

#include "base/log.hpp"
#include "base/log_limited.hpp"
#include "bgp/codec/notification_data.hpp"
#include "bgp/core/session.hpp"

namespace vpnlab::bgp {

namespace {
// RFC 6608 §3: the FSM error subcode names the state that got the unexpected message.
FsmSubcode fsm_subcode(BgpState s) {
  switch (s) {
    case BgpState::open_sent:
      return FsmSubcode::unexpected_message_in_open_sent;
    case BgpState::open_confirm:
      return FsmSubcode::unexpected_message_in_open_confirm;
    case BgpState::established:
      return FsmSubcode::unexpected_message_in_established;
    default:
      return FsmSubcode::unspecified;
  }
}
}  // namespace

void Session::start(bool passive, TransitionReason why) {
  stop_timer(Timer::idle_hold);
  if (why == TransitionReason::manual_start) connect_retry_counter_ = 0;
  if (!passive) {
    // Connect at once: no idle delay on the first start (the tunnel is already up).
    actions_.push_back(action::OpenTcp{});
    start_timer(Timer::connect_retry, config_.connect_retry_time);
    return enter(BgpState::connect, why);
  }
  // cloud-facts: "APIPA passivity" [Z-AWS-OLD]: a passive side only listens.
  enter(BgpState::active, why);
}

void Session::accept_connection(ConnId conn) {
  stop_timer(Timer::connect_retry);
  conn_ = conn;
  Capabilities caps;
  caps.multiprotocol = {kIpv4Unicast};
  caps.route_refresh = config_.route_refresh;
  // RFC 4724 §3: a helper advertises the capability without address families.
  if (config_.graceful_restart_helper || config_.graceful_restart_families) {
    caps.graceful_restart = GracefulRestartCapability{false, config_.advertised_restart_time, {}};
    if (config_.graceful_restart_families) caps.graceful_restart->families = {{kIpv4Unicast, true}};
  }
  send(MessageType::open,
       encode_open(make_open(config_.local_asn, config_.hold_time, config_.router_id, caps)));
  start_timer(Timer::hold, config_.open_hold_time);
  enter(BgpState::open_sent, TransitionReason::tcp_connection_confirmed);
}

void Session::process_open(const OpenMessage& open) {
  auto open_error = [&](OpenSubcode sub, std::string why) {
    fail_with(
        Notification{
            static_cast<std::uint8_t>(ErrorCode::open_message), static_cast<std::uint8_t>(sub), {}},
        std::move(why), TransitionReason::notification_sent, true);
  };
  // RFC 4271 §6.2 Bad Peer AS (with RFC 6793 §4.1: the 4-octet capability's ASN).
  if (open.asn() != config_.peer_asn)
    return open_error(OpenSubcode::bad_peer_as, "peer AS " + std::to_string(open.asn().value) +
                                                    ", expected " +
                                                    std::to_string(config_.peer_asn.value));
  // RFC 6286 §2.2: on an internal session the identifiers must differ.
  if (!config_.ebgp() && open.bgp_identifier == config_.router_id)
    return open_error(OpenSubcode::bad_bgp_identifier, "identifier equals ours");
  Negotiated n;
  n.peer_asn = open.asn();
  n.peer_id = open.bgp_identifier;
  // RFC 4271 §4.2: the smaller of the two hold times; keepalive at most a third of it.
  n.hold_time = std::min(config_.hold_time, open.hold_time);
  n.keepalive_time = n.hold_time.count() == 0
                         ? Seconds(0)
                         : std::max(Seconds(1), std::min(config_.keepalive_time, n.hold_time / 3));
  n.peer_capabilities = open.capabilities;
  n.codec = CodecOptions{open.capabilities.four_octet_as.has_value(), config_.ebgp()};
  n.route_refresh = config_.route_refresh && open.capabilities.route_refresh;
  negotiated_ = n;
  stop_timer(Timer::hold);
  send_keepalive();
  if (n.hold_time.count() > 0) start_timer(Timer::hold, n.hold_time);
  enter(BgpState::open_confirm, TransitionReason::open_received);
}

void Session::fail_with(Notification n, std::string why, TransitionReason reason, bool restart) {
  std::string text = "sent " + notification_name(n) + ": " + why;
  // A peer (or someone on its link) can make us send these as often as it connects.
  VPNLAB_LOG_LIMITED(warn, "bgp", notification_counter(n.code, n.subcode), "peer %s: %s",
                     config_.peer_address.to_string().c_str(), text.c_str());
  if (conn_ != 0) send(MessageType::notification, encode_notification(n));
  last_error_ = LastError{std::move(n), true, std::move(text), std::move(why)};
  go_idle(reason, restart);
}

void Session::fail_decode(const DecodeError& e) {
  fail_with(e.notification, e.what(), TransitionReason::notification_sent, true);
}

void Session::fail_fsm() {
  fail_with(Notification{static_cast<std::uint8_t>(ErrorCode::fsm),
                         static_cast<std::uint8_t>(fsm_subcode(state_)),
                         {}},
            std::string("unexpected event in ") + to_string(state_),
            TransitionReason::notification_sent, true);
}

void Session::go_idle(TransitionReason reason, bool restart) {
  bool was_established = state_ == BgpState::established;
  // RFC 4724 §4.2: routes are retained only for the families the peer listed.
  bool peer_gr = false;
  if (negotiated_ && negotiated_->peer_capabilities.graceful_restart)
    for (const auto& f : negotiated_->peer_capabilities.graceful_restart->families)
      peer_gr = peer_gr || f.afi_safi == kIpv4Unicast;
  drop_connection();
  stop_timer(Timer::idle_hold);
  if (reason != TransitionReason::manual_stop) ++connect_retry_counter_;
  if (was_established) {
    // RFC 4724 §4.2: routes are retained when the TCP session ends without a NOTIFICATION
    // (we treat hold timer expiry, where the NOTIFICATION cannot be delivered, alike).
    bool graceful = config_.graceful_restart_helper && peer_gr &&
                    (reason == TransitionReason::tcp_connection_failed ||
                     reason == TransitionReason::hold_timer_expired);
    actions_.push_back(action::SessionDown{reason, graceful});
  }
  enter(BgpState::idle, reason);
  if (restart && auto_restart_) start_timer(Timer::idle_hold, config_.idle_hold_time);
}

void Session::stop_administratively() {
  auto_restart_ = false;
  if (conn_ != 0)
    send(MessageType::notification,
         encode_notification(
             Notification{static_cast<std::uint8_t>(ErrorCode::cease),
                          static_cast<std::uint8_t>(CeaseSubcode::administrative_shutdown),
                          {}}));
  connect_retry_counter_ = 0;
  go_idle(TransitionReason::manual_stop, false);
}

void Session::enter(BgpState s, TransitionReason why) {
  if (s != state_)
    VPNLAB_LOG(info, "bgp", "peer %s: %s -> %s (%s)", config_.peer_address.to_string().c_str(),
               to_string(state_), to_string(s), to_string(why));
  state_ = s;
  last_reason_ = why;
  if (s == BgpState::idle) negotiated_.reset();
}

void Session::send(MessageType type, Bytes bytes) {
  actions_.push_back(action::Send{conn_, type, std::move(bytes)});
}

void Session::send_keepalive() {
  send(MessageType::keepalive, encode_keepalive());
  if (negotiated_ && negotiated_->keepalive_time.count() > 0)
    start_timer(Timer::keepalive, negotiated_->keepalive_time);
}

namespace {
bool per_connection(Timer t) {
  return t == Timer::hold || t == Timer::keepalive;
}
}  // namespace

void Session::start_timer(Timer t, Seconds after) {
  actions_.push_back(action::StartTimer{per_connection(t) ? conn_ : 0, t, after});
}

void Session::stop_timer(Timer t) {
  actions_.push_back(action::StopTimer{per_connection(t) ? conn_ : 0, t});
}

void Session::restart_hold_timer() {
  if (negotiated_ && negotiated_->hold_time.count() > 0)
    start_timer(Timer::hold, negotiated_->hold_time);
}

void Session::drop_connection() {
  stop_timer(Timer::hold);
  stop_timer(Timer::keepalive);
  stop_timer(Timer::connect_retry);
  if (conn_ != 0) actions_.push_back(action::CloseTcp{conn_});
  conn_ = 0;
}

}  // namespace vpnlab::bgp
