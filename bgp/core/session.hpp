#pragma once
// One BGP session FSM (RFC 4271 §8): a pure state machine over one TCP connection at a
// time. Callers feed events through the on_* handlers (named for §8.1 events) and drain the
// resulting actions with take_actions(); nothing here touches sockets or clocks.
//
// Every protocol error leaves through fail(), which sends the NOTIFICATION, drops the
// connection, records the last error and enters Idle; an automatic restart (Event 3/5) is
// scheduled with the idle hold timer unless the session was stopped.
//
// Deviations from RFC 4271 §8.2.2: a NOTIFICATION received in OpenSent is not answered with
// an FSM error (§6: never respond to a NOTIFICATION with one); DelayOpen and
// DampPeerOscillations are not implemented (IdleHoldTime is fixed).

#include <utility>
#include <vector>

#include "bgp/core/fsm_types.hpp"
#include "bgp/core/session_config.hpp"

namespace vpnlab::bgp {

class Session {
 public:
  explicit Session(SessionConfig config) : config_(std::move(config)) {}

  // RFC 4271 §8.1.2 administrative events.
  void on_manual_start();  // Event 1, or 4 when config.passive
  void on_manual_stop();   // Event 2
  // §8.1.3 timer events.
  void on_connect_retry_timer_expires();  // Event 9
  void on_hold_timer_expires();           // Event 10
  void on_keepalive_timer_expires();      // Event 11
  void on_idle_hold_timer_expires();      // Event 13 → automatic start (3 or 5)
  void on_timer_expires(Timer t);
  // §8.1.4 TCP events.
  void on_tcp_connection_confirmed(ConnId conn);  // Events 16/17
  void on_tcp_connection_fails();                 // Event 18
  // §8.1.5 message events: decodes and dispatches (19, 21, 22, 25-28, route refresh).
  void on_message(ByteSpan message);
  void on_open_collision_dump();  // Event 23
  /// Event 4 then 17: a second session created for an incoming connection while another
  /// connection to the same peer is in OpenSent/OpenConfirm (RFC 4271 §6.8).
  void on_incoming_connection(ConnId conn);
  /// A local error found above the FSM (max-prefix, RFC 7606 semantic check): NOTIFICATION,
  /// Idle, automatic restart.
  void fail(Notification n, std::string why);

  std::vector<Action> take_actions() { return std::exchange(actions_, {}); }

  BgpState state() const { return state_; }
  TransitionReason last_reason() const { return last_reason_; }
  const std::optional<LastError>& last_error() const { return last_error_; }
  const std::optional<Negotiated>& negotiated() const { return negotiated_; }
  const SessionConfig& config() const { return config_; }
  ConnId connection() const { return conn_; }
  bool outgoing() const { return outgoing_; }
  void set_outgoing(bool v) { outgoing_ = v; }
  std::uint32_t connect_retry_counter() const { return connect_retry_counter_; }

 private:
  struct Ev {
    Event kind;
    const Message* message = nullptr;
    const DecodeError* error = nullptr;
    ConnId conn = 0;
  };
  void dispatch(const Ev& e);
  // One handler per state (RFC 4271 §8.2.2).
  void in_idle(const Ev& e);
  void in_connect(const Ev& e);
  void in_active(const Ev& e);
  void in_open_sent(const Ev& e);
  void in_open_confirm(const Ev& e);
  void in_established(const Ev& e);
  bool handle_after_open(const Ev& e);

  void start(bool passive, TransitionReason why);
  void accept_connection(ConnId conn);
  void process_open(const OpenMessage& open);
  void fail_with(Notification n, std::string why, TransitionReason reason, bool restart);
  void fail_decode(const DecodeError& e);
  void fail_fsm();
  void fail_hold_timer();
  void dump_collision();
  void go_idle(TransitionReason reason, bool restart);
  void stop_administratively();
  void enter(BgpState s, TransitionReason why);
  void send(MessageType type, Bytes bytes);
  void send_keepalive();
  void start_timer(Timer t, Seconds after);
  void stop_timer(Timer t);
  void drop_connection();
  void restart_hold_timer();

  SessionConfig config_;
  BgpState state_ = BgpState::idle;
  TransitionReason last_reason_ = TransitionReason::none;
  std::optional<LastError> last_error_;
  std::optional<Negotiated> negotiated_;
  std::vector<Action> actions_;
  ConnId conn_ = 0;
  bool outgoing_ = false;
  bool auto_restart_ = false;
  std::uint32_t connect_retry_counter_ = 0;
};

}  // namespace vpnlab::bgp
