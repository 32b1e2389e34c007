#pragma once
// RFC 4271 §9.1.2.2 decision process as a chain of compare_by_* functions (GoBGP
// destination.go): each returns <0 when a is preferred, >0 when b is, 0 on a tie, and the
// first non-tie names the BestPathReason. Locally announced networks win first (the
// clouds show them with weight 32768 — cloud-facts: "Learned routes" [Z-DIAG]).
//
// Multipath (ECMP): paths that tie through the eBGP-over-iBGP step and share the neighbour
// AS are equal-cost (cloud-facts §2.2 "Azure spreads flows across all four" [Z-AA]); a
// VGW personality turns it off (cloud-facts: "ECMP" not on a VGW [A-ROUTE]).

#include <vector>

#include "bgp/core/rib.hpp"

namespace vpnlab::bgp {

enum class BestPathReason : std::uint8_t {
  only_path,
  local_route,
  local_pref,
  as_path_length,
  origin,
  med,
  ebgp_over_ibgp,
  router_id,
  peer_address,
};
const char* to_string(BestPathReason r);

struct Comparison {
  int result = 0;
  BestPathReason reason = BestPathReason::only_path;
};

int compare_by_local_route(const Path& a, const Path& b);
int compare_by_local_pref(const Path& a, const Path& b);      // higher wins
int compare_by_as_path_length(const Path& a, const Path& b);  // shorter wins, AS_SET = 1
int compare_by_origin(const Path& a, const Path& b);          // IGP < EGP < INCOMPLETE
int compare_by_med(const Path& a, const Path& b);             // lower wins, same neighbour AS only
int compare_by_ebgp_over_ibgp(const Path& a, const Path& b);
int compare_by_router_id(const Path& a, const Path& b);     // lower wins
int compare_by_peer_address(const Path& a, const Path& b);  // lower wins

/// Runs the chain; stops at the first step that decides.
Comparison compare_paths(const Path& a, const Path& b);
/// True when a and b tie on every step before the router-id tie breakers and come from
/// the same neighbour AS (equal-cost for multipath).
bool multipath_equal(const Path& a, const Path& b);

struct Selection {
  std::vector<const Path*> paths;  // best first; more than one = ECMP set
  BestPathReason reason = BestPathReason::only_path;
  bool empty() const { return paths.empty(); }
};

Selection select_best(std::vector<const Path*> candidates, bool multipath);

}  // namespace vpnlab::bgp
