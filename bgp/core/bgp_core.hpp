#pragma once
// BgpCore: every peer's session FSM plus the routing tables of one speaker, sans-I/O.
//
//   TCP bytes / timer expiries / connects ──► on_*()         (speaker or test harness)
//        Session FSM per connection (session.hpp) ──► actions
//        UPDATE ─► import policy ─► Adj-RIB-In ─► decision (decision.hpp) ─► Loc-RIB
//        Loc-RIB ─► export policy ─► Adj-RIB-Out ─► UPDATE messages
//        Loc-RIB ─► FibChange (prefix + ECMP next hops) ─► dataplane::RouteTable
//   take_io() / take_fib()  ◄── drained by the caller after each event
//
// Time comes from an injected Clock (only for status: connected duration). Collisions
// (RFC 4271 §6.8) are resolved here: a peer may briefly have a second Session for an
// incoming connection. Known deviations: no MinRouteAdvertisementInterval (§9.2.1.1);
// only IPv4 unicast.

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "base/counters.hpp"
#include "bgp/core/decision.hpp"
#include "bgp/core/policy.hpp"
#include "bgp/core/session.hpp"
#include "bgp/core/status.hpp"

namespace vpnlab::bgp {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
};

struct PeerConfig {
  SessionConfig session;
  ImportPolicy import;
  ExportPolicy export_policy;
  std::string device;  // the tunnel device routes via this peer go out of (may be empty)
};

struct CoreConfig {
  Asn asn;
  Ipv4Address router_id;
  bool multipath = true;
  std::vector<Ipv4Prefix> networks;  // announced: the VNet / VPC CIDRs
};

/// One installed route: next hops (several = ECMP); empty hops = remove the route.
struct FibNextHop {
  Ipv4Address gateway;
  std::string device;
  auto operator<=>(const FibNextHop&) const = default;
};
struct FibChange {
  Ipv4Prefix prefix;
  std::vector<FibNextHop> hops;
};
/// Next-hop groups are interned like attribute sets: a prefix keeps the id of what it has
/// in the kernel, not a copy (one group per distinct ECMP set).
struct NextHopsHash {
  std::size_t operator()(const std::vector<FibNextHop>& hops) const;
};
using NextHopPool = InternPool<std::vector<FibNextHop>, NextHopsHash>;

/// A TCP/timer action for the connection(s) of one peer.
struct PeerIo {
  Ipv4Address peer;
  Action action;
};

class BgpCore {
 public:
  BgpCore(CoreConfig config, const Clock& clock);

  void add_peer(PeerConfig cfg);
  bool has_peer(Ipv4Address peer) const { return peers_.count(peer) > 0; }
  void start_peer(Ipv4Address peer);  // RFC 4271 Event 1 / 4
  void stop_peer(Ipv4Address peer);   // Event 2
  /// Closes an open session with NOTIFICATION Cease / Administrative Reset (RFC 4486 §4,
  /// subcode 4); it comes back by the normal FSM (automatic start after the idle hold time).
  /// False when the peer is unknown or has no connection to reset.
  bool reset_peer(Ipv4Address peer);
  void start_all();

  void on_timer(Ipv4Address peer, ConnId conn, Timer t);
  /// A connection is up: outgoing = we initiated it. Refused (CloseTcp) when not wanted.
  void on_tcp_connected(Ipv4Address peer, ConnId conn, bool outgoing);
  /// conn 0 = an outgoing attempt that never connected.
  void on_tcp_failed(Ipv4Address peer, ConnId conn);
  void on_message(Ipv4Address peer, ConnId conn, ByteSpan message);
  /// Adds / removes a locally announced network (VNet / VPC CIDR) at run time.
  void announce(const Ipv4Prefix& prefix);
  void withdraw(const Ipv4Prefix& prefix);
  /// Asks the peer to resend its routes (RFC 2918), if it supports it.
  void request_route_refresh(Ipv4Address peer);

  std::vector<PeerIo> take_io() { return std::exchange(io_, {}); }
  std::vector<FibChange> take_fib() { return std::exchange(fib_, {}); }

  Status status() const;
  const CounterSet& counters() const { return counters_; }
  /// The selected paths for prefix (empty if none), best first.
  std::vector<Path> loc_rib(const Ipv4Prefix& prefix) const;
  std::size_t loc_rib_size() const { return loc_rib_size_; }
  /// Distinct attribute sets and next-hop groups held (memory accounting, tests).
  std::size_t attribute_sets() const { return rib_.attrs().size(); }
  std::size_t next_hop_groups() const { return nhgs_.size(); }
  std::size_t advertised_attribute_sets() const { return out_attrs_.size(); }
  /// Prefixes with any path or kernel state.
  std::size_t rib_prefixes() const { return rib_.entries().size(); }

 private:
  struct PeerState {
    PeerConfig cfg;
    Session main;
    std::optional<Session> candidate;  // second connection during a collision
    PeerIndex index = 0;               // its paths in rib_
    PrefixMap<InternId> rib_out;       // Adj-RIB-Out: what the peer was sent, ids in out_attrs_
    std::set<Ipv4Prefix> pending;      // to send: announce if in rib_out, else withdraw
    std::optional<Negotiated> negotiated;
    std::optional<Seconds> peer_restart_time;
    PathSource source;
    std::optional<std::chrono::steady_clock::time_point> established_at;
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
  };

  PeerState* find(Ipv4Address peer);
  Session* session_for(PeerState& ps, ConnId conn);
  void settle(PeerState& ps);
  bool drain(PeerState& ps, Session& s, bool candidate);
  void resolve_collision(PeerState& ps);
  void on_session_up(PeerState& ps, const Negotiated& n);
  void on_session_down(PeerState& ps, const action::SessionDown& d);
  void on_update(PeerState& ps, const DecodedUpdate& u);
  void on_restart_timer(PeerState& ps);
  void recompute(const Ipv4Prefix& prefix);
  void select(const Ipv4Prefix& prefix, RouteEntry& e);
  void update_fib(const Ipv4Prefix& prefix, RouteEntry& e);
  Path path_of(const Ipv4Prefix& prefix, const PathRef& r) const;
  const PathSource& source_of(PeerIndex peer) const;
  void export_prefix(PeerState& ps, const Ipv4Prefix& prefix);
  void flush(PeerState& ps);
  void clear_rib_out(PeerState& ps);
  void flush_all();
  void send(PeerState& ps, MessageType type, Bytes bytes);
  void recompute_all(const std::vector<Ipv4Prefix>& prefixes);

  CoreConfig config_;
  const Clock& clock_;
  std::map<Ipv4Address, PeerState> peers_;
  std::vector<PeerState*> by_index_;  // PeerState::index -> peer (map nodes do not move)
  PathSource local_source_;           // of the announced networks
  Rib rib_;                           // Adj-RIB-In of all peers, Loc-RIB, FIB state
  NextHopPool nhgs_;
  AttrPool out_attrs_;  // attribute sets advertised (Adj-RIB-Out of every peer)
  std::size_t loc_rib_size_ = 0;
  std::vector<PeerIo> io_;
  std::vector<FibChange> fib_;
  CounterSet counters_;
};

}  // namespace vpnlab::bgp
