#pragma once
// Routing information bases (RFC 4271 §3.2) in one per-prefix table, the way BIRD keeps a
// network with its list of routes:
//
//   PrefixMap<RouteEntry>  prefix (5 bytes) ─► RouteEntry (16 bytes)
//     paths: PathRef {attrs id, peer index, flags}   Adj-RIB-In of every peer + local networks
//            (one inline; two or more in a list of the Rib's)
//            flag selected = in the Loc-RIB (selected paths first, best first; RFC 4271 §9.1)
//     fib:   id of the next-hop group installed in the kernel (0 = none)
//   AttrPool: the distinct attribute sets, interned and reference-counted (one reference
//             per PathRef), so 100,000 routes from one peer share a handful of sets.
//
// A Path (below) is the expanded view the decision process, policy and status work on;
// it is built on the fly from a PathRef and never stored per route.

#include <memory>
#include <span>
#include <vector>

#include "base/ip.hpp"
#include "bgp/codec/attributes.hpp"
#include "bgp/core/intern_pool.hpp"
#include "bgp/core/prefix_map.hpp"

namespace vpnlab::bgp {

/// Who a path came from, as the decision process needs it (RFC 4271 §9.1.2.2).
struct PathSource {
  Ipv4Address peer_address;  // 0.0.0.0 for local routes
  Ipv4Address router_id;
  Asn peer_asn;
  bool ebgp = true;
  bool local = false;  // an announced network of this speaker
  auto operator<=>(const PathSource&) const = default;
};

struct Path {
  Ipv4Prefix prefix;
  std::shared_ptr<const PathAttributes> attrs;
  PathSource source;
  bool stale = false;  // RFC 4724 §4.2: kept across the peer's restart

  Ipv4Address next_hop() const { return attrs->next_hop.value_or(Ipv4Address{}); }
  bool operator==(const Path& o) const {
    return prefix == o.prefix && *attrs == *o.attrs && source == o.source && stale == o.stale;
  }
};

/// Attribute sets interned by value (hash and equality over the pointee).
struct AttrsHash {
  std::size_t operator()(const std::shared_ptr<const PathAttributes>& a) const;
};
struct AttrsEq {
  bool operator()(const std::shared_ptr<const PathAttributes>& a,
                  const std::shared_ptr<const PathAttributes>& b) const {
    return a == b || (a && b && *a == *b);
  }
};
using AttrPool = InternPool<std::shared_ptr<const PathAttributes>, AttrsHash, AttrsEq>;

using PeerIndex = std::uint16_t;
inline constexpr PeerIndex kLocalPeer = 0xffff;  // a locally announced network

inline constexpr std::uint8_t kPathStale = 1;     // RFC 4724 §4.2
inline constexpr std::uint8_t kPathSelected = 2;  // in the Loc-RIB (best or ECMP member)

/// One path to a prefix as stored: 8 bytes.
struct PathRef {
  InternId attrs = 0;  // holds one AttrPool reference
  PeerIndex peer = 0;
  std::uint8_t flags = 0;
  std::uint8_t reserved = 0;
};

/// The paths of one prefix (their storage is the Rib's: Rib::paths), its Loc-RIB state and
/// FIB state. 16 bytes: with its packed prefix a PrefixMap slot is 24.
class RouteEntry {
  friend class Rib;
  std::uint8_t count_ = 0;  // (first: packs with the two flags below)

 public:
  std::uint8_t reason = 0;  // BestPathReason of the selection
  bool in_loc_rib = false;  // has selected paths (as of the last decision process run)
  InternId fib = 0;         // 1 + the next-hop group in the kernel; 0 = not installed
  std::size_t size() const { return count_; }

 private:
  // count_ <= 1: the path itself; count_ >= 2: attrs is the index of the list in Rib::lists_.
  PathRef one_;
};
static_assert(sizeof(RouteEntry) <= 16, "a RouteEntry per prefix: keep it small");

/// Adj-RIB-In of every peer and the local networks, keyed by prefix (see the top).
class Rib {
 public:
  enum class SetResult { added, replaced, unchanged };
  /// Stores peer's path (taking the reference attrs holds); a replacement is not stale.
  SetResult set(const Ipv4Prefix& prefix, PeerIndex peer, InternId attrs);
  /// Removes peer's path and releases its attributes.
  bool erase(const Ipv4Prefix& prefix, PeerIndex peer);
  /// Removes the entry if it has no paths and nothing installed.
  void drop_if_unused(const Ipv4Prefix& prefix);
  RouteEntry* find(const Ipv4Prefix& prefix) { return entries_.find(prefix); }
  /// The entry's paths; selected ones (the Loc-RIB) first, best first. Valid until the next
  /// set or erase.
  std::span<PathRef> paths(RouteEntry& e);
  std::span<const PathRef> paths(const RouteEntry& e) const;
  const RouteEntry* find(const Ipv4Prefix& prefix) const { return entries_.find(prefix); }
  const PathRef* find(const Ipv4Prefix& prefix, PeerIndex peer) const;

  /// RFC 4724 §4.2: marks every path of peer stale; returns their prefixes.
  std::vector<Ipv4Prefix> mark_stale(PeerIndex peer);
  /// Removes peer's paths still stale (End-of-RIB or restart timer); returns their prefixes.
  std::vector<Ipv4Prefix> sweep_stale(PeerIndex peer);
  /// Removes all of peer's paths; returns the prefixes that had one.
  std::vector<Ipv4Prefix> clear(PeerIndex peer);

  /// Routes held for peer (status: routes received).
  std::size_t count(PeerIndex peer) const { return peer < counts_.size() ? counts_[peer] : 0; }
  AttrPool& attrs() { return attrs_; }
  const AttrPool& attrs() const { return attrs_; }
  PrefixMap<RouteEntry>& entries() { return entries_; }
  const PrefixMap<RouteEntry>& entries() const { return entries_; }

 private:
  std::vector<Ipv4Prefix> remove_where(PeerIndex peer, std::uint8_t need_flags);
  std::size_t& counter(PeerIndex peer);
  PathRef* find_path(RouteEntry& e, PeerIndex peer);
  void add_path(RouteEntry& e, PathRef p);
  bool remove_path(RouteEntry& e, PeerIndex peer, PathRef* out);

  PrefixMap<RouteEntry> entries_;
  AttrPool attrs_;
  std::vector<std::size_t> counts_;          // by peer index (kLocalPeer not counted)
  std::vector<std::vector<PathRef>> lists_;  // paths of prefixes that have two or more
  std::vector<std::uint32_t> free_lists_;
};

}  // namespace vpnlab::bgp
