#pragma once
// Asio glue for the IKE core (STYLE.md: only */daemon/ includes Asio): UDP sockets on 500
// and 4500 (RFC 3948: IKE on 4500 carries a 4-octet zero non-ESP marker; anything else on
// 4500 is ESP and goes to the dataplane hook), the timers the core asks for, NAT keepalives
// (RFC 3948 4: a single 0xFF octet, sent by the side behind the NAT), the dataplane's
// byte/packet lifetime events (start() registers with the manager's SaInstaller), and events
// for the gateway wiring. One thread: every handler runs on the io_context that owns the
// IkeManager (no locks); the SaInstaller must call its lifetime handler on that thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <tuple>

#include "ike/core/ike_manager.hpp"

namespace vpnlab::ike {

class IkeDaemon {
 public:
  struct Options {
    Ipv4Address local;
    std::uint16_t ike_port = 500;
    std::uint16_t natt_port = 4500;
    Duration nat_keepalive{20000};
    /// The dataplane owns the UDP 500/4500 sockets (shared/DESIGN.md packet path: the
    /// non-ESP marker split happens there): start() binds nothing, received IKE comes in
    /// through deliver(), and every send goes to send_hook.
    bool external_transport = false;
  };

  IkeDaemon(boost::asio::io_context& io, Options options, IkeManager& manager,
            CounterSet& counters);
  ~IkeDaemon();

  /// Binds both sockets (errors: port in use, address not local) and starts receiving;
  /// starts the NAT keepalive timer and takes the SaInstaller's lifetime events.
  std::error_code start();
  void stop();
  /// Starts the tunnel's IKE_SA (respects the peer's connection mode).
  void connect(const std::string& tunnel);
  /// Executes core actions: send datagrams, (re)arm or cancel timers, report events.
  void apply(Actions actions);

  std::function<void(const Event&)> on_event;
  /// Every IKE datagram received (after the non-ESP marker), before the core sees it:
  /// tracing and capture for tests.
  std::function<void(const Datagram&)> on_receive_tap;
  /// Every IKE datagram this daemon sends (without the non-ESP marker): tracing, capture.
  std::function<void(const Datagram&)> on_send_tap;
  /// ESP-in-UDP packets received on the NAT-T port (no non-ESP marker).
  std::function<void(ByteSpan, const Endpoint& from)> on_esp;
  /// External transport: sends one IKE message (without the non-ESP marker) from d.from.
  std::function<void(const Datagram&)> send_hook;
  /// External transport: sends one NAT keepalive (the single 0xFF octet, no non-ESP marker)
  /// from `from` (our UDP-encapsulation port) to `to`. Unset: keepalives are only counted
  /// as ike.tx.nat_keepalive_unsent.
  std::function<void(const Endpoint& from, const Endpoint& to)> keepalive_hook;
  /// External transport: one received IKE message (the non-ESP marker already removed).
  void deliver(const Datagram& d);

  /// When the armed timer (sa, kind, id) fires, if it is armed: the status output's rekey
  /// countdowns read the real (fuzzed) schedule rather than recomputing it.
  std::optional<boost::asio::steady_timer::time_point> timer_due(IkeSpi sa, TimerKind kind,
                                                                 std::uint32_t id = 0) const {
    auto it = timers_.find(TimerKey{sa.value, kind, id});
    if (it == timers_.end()) return std::nullopt;
    return it->second->expiry();
  }

 private:
  struct Socket;
  void receive(Socket& s);
  void on_receive(Socket& s, std::size_t n);
  void send(const Datagram& d);
  void arm(const TimerRequest& t);
  void send_keepalives();

  using TimerKey = std::tuple<std::uint64_t, TimerKind, std::uint32_t>;
  boost::asio::io_context& io_;
  Options options_;
  IkeManager& manager_;
  CounterSet& counters_;
  std::unique_ptr<Socket> ike_, natt_;
  std::map<TimerKey, std::unique_ptr<boost::asio::steady_timer>> timers_;
  boost::asio::steady_timer keepalive_;
};

}  // namespace vpnlab::ike
