#pragma once
// The BGP speaker: BgpCore driven by Boost.Asio on the caller's io_context (one control
// thread, STYLE.md). It owns the TCP listeners (bound to each peer's APIPA local address,
// optionally SO_BINDTODEVICE to the tunnel device), outgoing connects, per-connection
// deframers and write queues, the FSM timers, and installs the Loc-RIB into a
// dataplane::RouteTable.
//
//   accept/connect ─► Connection (read loop ─► Deframer ─► BgpCore::on_message)
//   BgpCore::take_io ─► Send (write queue) / CloseTcp / OpenTcp / Start|StopTimer
//   BgpCore::take_fib ─► RouteTable::apply, one batch per socket read (or per other event)
//
// Not thread-safe: every call must come from the io_context's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "bgp/core/bgp_core.hpp"
#include "dataplane/core/route_table.hpp"

namespace vpnlab::bgp {

struct SpeakerPeerConfig {
  PeerConfig peer;
  std::string bind_device;  // SO_BINDTODEVICE for this peer's sockets (empty: none)
  /// Started by start(); false = wait for set_peer_enabled(peer, true) (tunnel up).
  bool enabled = true;
};

struct SpeakerConfig {
  CoreConfig core;
  std::vector<SpeakerPeerConfig> peers;
  std::uint16_t port = 179;
};

class Speaker {
 public:
  /// routes may be nullptr (nothing installed); it must outlive the speaker.
  Speaker(boost::asio::io_context& io, SpeakerConfig config, dataplane::RouteTable* routes);
  ~Speaker();

  /// Binds the listeners and starts every enabled peer (connects at once where not passive).
  Checked<void> start();
  /// Stops every peer (Cease/Administrative Shutdown), withdraws installed routes, closes.
  void stop();
  /// Tunnel up/down: starts or stops one peer's session.
  void set_peer_enabled(Ipv4Address peer, bool enabled);
  /// A drill: Cease / Administrative Reset of the peer's open session (BgpCore::reset_peer).
  bool reset_peer(Ipv4Address peer);
  void request_route_refresh(Ipv4Address peer);
  void announce(const Ipv4Prefix& prefix);
  void withdraw(const Ipv4Prefix& prefix);

  Status status() const { return core_.status(); }
  const BgpCore& core() const { return core_; }
  /// Routes that failed to install (RouteTable errors), for status.
  std::uint64_t route_install_errors() const { return route_errors_; }

 private:
  struct Connection;
  class SteadyClock : public Clock {
   public:
    std::chrono::steady_clock::time_point now() const override {
      return std::chrono::steady_clock::now();
    }
  };
  using TimerKey = std::tuple<Ipv4Address, ConnId, Timer>;
  struct TimerSlot {
    explicit TimerSlot(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::uint64_t generation = 0;  // a wait from an older start is stale
  };

  Checked<void> listen_on(Ipv4Address local, const std::string& device);
  void accept_next(boost::asio::ip::tcp::acceptor& acceptor);
  void connect(Ipv4Address peer);
  void adopt(std::shared_ptr<Connection> c, bool outgoing);
  void read_next(std::shared_ptr<Connection> c);
  void write_next(std::shared_ptr<Connection> c);
  void close(ConnId id);
  void connection_failed(ConnId id);
  void run_actions();
  void execute(PeerIo& io);
  void start_timer(const TimerKey& key, Seconds after);
  void install_pending();
  const SpeakerPeerConfig* peer_config(Ipv4Address peer) const;

  boost::asio::io_context& io_;
  SpeakerConfig config_;
  dataplane::RouteTable* routes_;
  SteadyClock clock_;
  BgpCore core_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::map<ConnId, std::shared_ptr<Connection>> conns_;
  std::map<Ipv4Address, std::shared_ptr<Connection>> connecting_;
  std::map<TimerKey, std::unique_ptr<TimerSlot>> timers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers outliving us
  ConnId next_conn_ = 0;
  std::uint64_t route_errors_ = 0;
  std::vector<dataplane::RouteChange> pending_fib_;  // to the RouteTable as one batch
  int fib_hold_ = 0;  // > 0 while a read's messages are processed: batch their changes
  bool stopping_ = false;
};

}  // namespace vpnlab::bgp
