#include "bgp/core/policy.hpp"

#include <algorithm>

namespace vpnlab::bgp {

const char* to_string(ImportVerdict v) {
  switch (v) {
    case ImportVerdict::accept:
      return "accept";
    case ImportVerdict::as_loop:
      return "as_loop";
    case ImportVerdict::first_as_mismatch:
      return "first_as_mismatch";
    case ImportVerdict::next_hop_is_self:
      return "next_hop_is_self";
    case ImportVerdict::equal_to_reserved:
      return "equal_to_reserved";
    case ImportVerdict::no_next_hop:
      return "no_next_hop";
  }
  return "?";
}

ImportVerdict check_import(const Path& p, const ImportContext& ctx, const ImportPolicy& policy) {
  const auto& a = *p.attrs;
  if (!a.next_hop) return ImportVerdict::no_next_hop;
  if (*a.next_hop == ctx.local_address) return ImportVerdict::next_hop_is_self;
  if (a.as_path && a.as_path->contains(ctx.local_asn)) return ImportVerdict::as_loop;
  if (ctx.ebgp && (!a.as_path || a.as_path->first() != ctx.peer_asn))
    return ImportVerdict::first_as_mismatch;
  // cloud-facts: "Prefix filtering" — routes identical to a VNet prefix are rejected,
  // supersets allowed [Z-FAQ-BGP].
  if (std::find(policy.reject_equal_to.begin(), policy.reject_equal_to.end(), p.prefix) !=
      policy.reject_equal_to.end())
    return ImportVerdict::equal_to_reserved;
  return ImportVerdict::accept;
}

std::optional<PathAttributes> export_attributes(const Path& p, const ExportContext& ctx,
                                                const ExportPolicy& policy) {
  // RFC 4271 §9.1.3 (split horizon): never back to the peer it came from; iBGP-learned
  // routes are not passed to other internal peers.
  if (!p.source.local && p.source.peer_address == ctx.peer_address) return std::nullopt;
  if (!p.source.local && !p.source.ebgp && !ctx.ebgp) return std::nullopt;
  if (!p.source.local && !policy.advertise_learned) return std::nullopt;
  // cloud-facts: "What Azure advertises" — never the default route [Z-FAQ-BGP].
  if (policy.never_advertise_default && p.prefix.length == 0) return std::nullopt;
  PathAttributes out = *p.attrs;
  if (!out.origin) out.origin = Origin::igp;
  if (!out.as_path) out.as_path = AsPath{};
  out.mp_reach.reset();
  out.mp_unreach.reset();
  if (ctx.ebgp) {
    // RFC 4271 §5.1.2: prepend our AS on external sessions; §5.1.3: next hop self;
    // §5.1.4: a MED learned from one AS is not passed on to another; §5.1.5: no
    // LOCAL_PREF to external peers.
    out.as_path->prepend(ctx.local_asn, 1 + policy.as_path_prepend);
    out.next_hop = ctx.local_address;
    out.med = policy.med;
    out.local_pref.reset();
  } else {
    if (p.source.local) out.next_hop = ctx.local_address;
    out.local_pref = out.local_pref.value_or(100);
    if (policy.med) out.med = policy.med;
  }
  return out;
}

}  // namespace vpnlab::bgp
