#pragma once
// Two in-process IKE gateways ("left" initiates, "right" responds) joined by an in-memory
// network with a virtual clock: datagrams are queued FIFO and delivered by deliver(); timers
// requested through Actions are kept with their due time and fired by advance(). No sleeps,
// no sockets. Filters can drop or rewrite datagrams to model loss and attacks.

#include <functional>
#include <map>
#include <memory>
#include <tuple>

#include "base/counters.hpp"
#include "ike/core/ike_manager.hpp"
#include "tests/exchange/ike/fake_sa_installer.hpp"

namespace vpnlab::ike::test {

class Lab;

struct Side {
  Side(std::uint64_t seed, std::uint32_t first_spi)
      : rng(seed),
        installer(first_spi),
        manager(std::make_unique<IkeManager>(rng, installer, counters)) {}
  CountingRng rng;
  RecordingSaInstaller installer;
  CounterSet counters;
  std::unique_ptr<IkeManager> manager;
  std::vector<Event> events;
  std::uint64_t counter(const std::string& name) { return counters.get(name).get(); }
  bool saw(EventKind k) const {
    for (const Event& e : events) {
      if (e.kind == k) return true;
    }
    return false;
  }
  /// The one IKE_SA of the tunnel (nullptr if none or several).
  IkeSa* sa();
  /// The gateway process restarts: a new manager with no IKE_SAs (what the old one
  /// installed in the dataplane stays in `installer`, as a crashed peer's kernel would not).
  void restart(PeerConfig config) {
    manager = std::make_unique<IkeManager>(rng, installer, counters);
    manager->add_peer(std::move(config));
  }
};

/// A NAT in front of the left (its address stays, the ports are rewritten): source ports
/// 500 -> 40000 and 4500 -> 40001, and back.
void rewrite_left_ports(Lab& lab);

/// A PeerConfig for the lab: left 192.0.2.1 <-> right 198.51.100.1, PSK "lab-psk-0123".
PeerConfig lab_peer(bool left);

class Lab {
 public:
  Lab(PeerConfig left_cfg = lab_peer(true), PeerConfig right_cfg = lab_peer(false));

  Side left{0x1111, 0xc0000100}, right{0x2222, 0xd0000100};

  /// Delivers queued datagrams (and their answers) until the network is empty or `limit`.
  void deliver(std::size_t limit = 1000);
  /// Moves the clock forward, firing due timers in order (delivering after each).
  void advance(Duration d);
  /// Runs the next timer of `kind` on `side` (whatever its due time); false if none armed.
  bool fire(Side& side, TimerKind kind);
  void apply(Side& from, Actions a);
  bool established();

  /// Return false to drop a datagram; may modify it.
  std::function<bool(Datagram&, bool from_left)> filter;
  std::size_t in_flight() const { return queue_.size(); }
  Duration now() const { return now_; }
  /// Delays of every armed timer of this kind, in arming order (back-off checks).
  std::vector<Duration> armed_delays(TimerKind kind) const {
    return delays_.count(kind) ? delays_.at(kind) : std::vector<Duration>{};
  }
  std::vector<Bytes> sent_by_left, sent_by_right;

 private:
  struct Due {
    Side* side;
    IkeSpi sa;
    TimerKind kind;
    std::uint32_t id;
  };
  using Key = std::tuple<Side*, std::uint64_t, TimerKind, std::uint32_t>;
  std::vector<std::pair<Datagram, bool>> queue_;
  std::map<Key, Duration> timers_;
  std::map<TimerKind, std::vector<Duration>> delays_;
  Duration now_{0};
};

}  // namespace vpnlab::ike::test
