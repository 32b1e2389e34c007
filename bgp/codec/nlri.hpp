#pragma once
// RFC 4271 §4.3 prefix encoding (Withdrawn Routes and NLRI fields, and the NLRI inside
// MP_REACH/MP_UNREACH for IPv4, RFC 4760 §5):
//
//   +---------------------------+
//   |   Length (1 octet)        |   prefix length in bits, 0..32
//   +---------------------------+
//   |   Prefix (variable)       |   ceil(Length / 8) octets
//   +---------------------------+

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/ip.hpp"

namespace vpnlab::bgp {

/// Decodes prefixes until r is empty. On error returns a message and sets error_offset.
/// Trailing host bits are cleared (RFC 4271 §4.3: "trailing bits ... irrelevant").
std::optional<std::string> decode_prefixes(ByteReader r, std::vector<Ipv4Prefix>& out,
                                           std::size_t& error_offset);
void encode_prefix(ByteWriter& w, const Ipv4Prefix& p);
std::size_t encoded_prefix_size(const Ipv4Prefix& p);

}  // namespace vpnlab::bgp
