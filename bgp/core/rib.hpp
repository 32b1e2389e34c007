#pragma once
// Routing information bases (RFC 4271 §3.2): a Path is one route to a prefix from one source
// (a peer, or a locally announced network); AdjRibIn holds what a peer sent after import
// policy; the Loc-RIB (loc_rib.hpp) holds the selected paths per prefix.

#include <map>
#include <memory>
#include <vector>

#include "base/ip.hpp"
#include "bgp/codec/attributes.hpp"

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

class AdjRibIn {
 public:
  /// Adds or replaces the path for its prefix (a replacement is no longer stale).
  void set(Path p) { routes_[p.prefix] = std::move(p); }
  bool erase(const Ipv4Prefix& p) { return routes_.erase(p) > 0; }
  const Path* find(const Ipv4Prefix& p) const {
    auto it = routes_.find(p);
    return it == routes_.end() ? nullptr : &it->second;
  }
  std::size_t size() const { return routes_.size(); }
  const std::map<Ipv4Prefix, Path>& routes() const { return routes_; }
  /// RFC 4724 §4.2: marks every route stale; returns their prefixes.
  std::vector<Ipv4Prefix> mark_stale();
  /// Removes the routes still stale (End-of-RIB or restart timer); returns their prefixes.
  std::vector<Ipv4Prefix> sweep_stale();
  /// Removes everything; returns the prefixes that were present.
  std::vector<Ipv4Prefix> clear();

 private:
  std::map<Ipv4Prefix, Path> routes_;
};

}  // namespace vpnlab::bgp
