#pragma once
// Per-peer import and export policy (RFC 4271 §9.1.1 / §9.1.3), plain data. Cloud
// personalities (cloud.hpp) fill it with the clouds' documented behaviour.

#include <optional>
#include <string>
#include <vector>

#include "bgp/core/rib.hpp"

namespace vpnlab::bgp {

struct ImportPolicy {
  /// Routes whose prefix equals one of these are rejected (Azure: VNet prefixes).
  std::vector<Ipv4Prefix> reject_equal_to;
  /// More accepted prefixes than this ends the session with Cease/1 (RFC 4486 §4).
  std::optional<std::size_t> max_prefixes;
};

struct ExportPolicy {
  std::size_t as_path_prepend = 0;       // extra copies of our ASN (eBGP)
  std::optional<std::uint32_t> med;      // MULTI_EXIT_DISC sent to this peer
  bool never_advertise_default = false;  // never send 0.0.0.0/0
  bool advertise_learned = true;         // re-advertise routes learned from other peers
};

/// Why import dropped a route (counter names "bgp.import.<reason>").
enum class ImportVerdict : std::uint8_t {
  accept,
  as_loop,            // RFC 4271 §9.1.2: our ASN in AS_PATH
  first_as_mismatch,  // RFC 4271 §6.3 / RFC 7606 §7.2: eBGP leftmost AS is not the peer
  next_hop_is_self,   // RFC 4271 §6.3: NEXT_HOP is our own address
  equal_to_reserved,  // policy reject_equal_to
  no_next_hop,
};
const char* to_string(ImportVerdict v);

struct ImportContext {
  Asn local_asn;
  Ipv4Address local_address;
  Asn peer_asn;
  bool ebgp = true;
};

ImportVerdict check_import(const Path& p, const ImportContext& ctx, const ImportPolicy& policy);

struct ExportContext {
  Asn local_asn;
  Ipv4Address local_address;  // next hop self
  Ipv4Address peer_address;
  bool ebgp = true;
};

/// The attributes to advertise for best path p to one peer, or std::nullopt when policy
/// (or RFC 4271 §9.1.3 split horizon / iBGP rules) says not to advertise it.
std::optional<PathAttributes> export_attributes(const Path& p, const ExportContext& ctx,
                                                const ExportPolicy& policy);

}  // namespace vpnlab::bgp
