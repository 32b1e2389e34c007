#include "bgp/core/decision.hpp"

#include <algorithm>
#include <array>

namespace vpnlab::bgp {

const char* to_string(BestPathReason r) {
  switch (r) {
    case BestPathReason::only_path:
      return "only path";
    case BestPathReason::local_route:
      return "local route";
    case BestPathReason::local_pref:
      return "LOCAL_PREF";
    case BestPathReason::as_path_length:
      return "AS_PATH length";
    case BestPathReason::origin:
      return "ORIGIN";
    case BestPathReason::med:
      return "MED";
    case BestPathReason::ebgp_over_ibgp:
      return "eBGP over iBGP";
    case BestPathReason::router_id:
      return "router ID";
    case BestPathReason::peer_address:
      return "peer address";
  }
  return "?";
}

namespace {
template <typename T>
int lower_wins(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}
// RFC 4271 §9.1.1: LOCAL_PREF, or for external routes a locally configured value.
std::uint32_t local_pref_of(const Path& p) {
  return p.attrs->local_pref.value_or(100);
}
std::size_t as_path_length_of(const Path& p) {
  return p.attrs->as_path ? p.attrs->as_path->length() : 0;
}
std::optional<Asn> neighbour_as(const Path& p) {
  return p.attrs->as_path ? p.attrs->as_path->first() : std::nullopt;
}
}  // namespace

int compare_by_local_route(const Path& a, const Path& b) {
  return lower_wins(!a.source.local, !b.source.local);
}
int compare_by_local_pref(const Path& a, const Path& b) {
  return lower_wins(local_pref_of(b), local_pref_of(a));
}
int compare_by_as_path_length(const Path& a, const Path& b) {
  return lower_wins(as_path_length_of(a), as_path_length_of(b));
}
int compare_by_origin(const Path& a, const Path& b) {
  return lower_wins(a.attrs->origin.value_or(Origin::incomplete),
                    b.attrs->origin.value_or(Origin::incomplete));
}
int compare_by_med(const Path& a, const Path& b) {
  // RFC 4271 §9.1.2.2 c): MED is compared only between routes from the same neighbour AS;
  // a missing MED counts as the lowest value (0).
  if (neighbour_as(a) != neighbour_as(b)) return 0;
  return lower_wins(a.attrs->med.value_or(0), b.attrs->med.value_or(0));
}
int compare_by_ebgp_over_ibgp(const Path& a, const Path& b) {
  return lower_wins(!a.source.ebgp, !b.source.ebgp);
}
int compare_by_router_id(const Path& a, const Path& b) {
  return lower_wins(a.source.router_id, b.source.router_id);
}
int compare_by_peer_address(const Path& a, const Path& b) {
  return lower_wins(a.source.peer_address, b.source.peer_address);
}

namespace {
struct Step {
  int (*compare)(const Path&, const Path&);
  BestPathReason reason;
};
constexpr std::array<Step, 8> kChain = {{
    {compare_by_local_route, BestPathReason::local_route},
    {compare_by_local_pref, BestPathReason::local_pref},
    {compare_by_as_path_length, BestPathReason::as_path_length},
    {compare_by_origin, BestPathReason::origin},
    {compare_by_med, BestPathReason::med},
    {compare_by_ebgp_over_ibgp, BestPathReason::ebgp_over_ibgp},
    {compare_by_router_id, BestPathReason::router_id},
    {compare_by_peer_address, BestPathReason::peer_address},
}};
constexpr std::size_t kMultipathSteps = 6;  // up to and including eBGP over iBGP
}  // namespace

Comparison compare_paths(const Path& a, const Path& b) {
  for (const auto& step : kChain)
    if (int r = step.compare(a, b); r != 0) return {r, step.reason};
  return {0, BestPathReason::peer_address};
}

bool multipath_equal(const Path& a, const Path& b) {
  for (std::size_t i = 0; i < kMultipathSteps; ++i)
    if (kChain[i].compare(a, b) != 0) return false;
  return neighbour_as(a) == neighbour_as(b) && !a.source.local && !b.source.local;
}

Selection select_best(std::vector<const Path*> candidates, bool multipath) {
  Selection out;
  if (candidates.empty()) return out;
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Path* a, const Path* b) { return compare_paths(*a, *b).result < 0; });
  out.paths.push_back(candidates[0]);
  if (candidates.size() > 1) out.reason = compare_paths(*candidates[0], *candidates[1]).reason;
  if (!multipath) return out;
  for (std::size_t i = 1; i < candidates.size(); ++i)
    if (multipath_equal(*candidates[0], *candidates[i]) &&
        candidates[i]->next_hop() != candidates[0]->next_hop())
      out.paths.push_back(candidates[i]);
  return out;
}

}  // namespace vpnlab::bgp
