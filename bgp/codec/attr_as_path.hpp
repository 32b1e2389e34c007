#pragma once
// AS_PATH (RFC 4271 §4.3 type 2) and AS4_PATH (RFC 6793 §3), a list of segments:
//
//   +----------------------+----------------------+---------------------------+
//   | segment type (1 oct) | segment len (1 oct,  | ASNs (2 or 4 octets each) |
//   | 1 AS_SET 2 AS_SEQ    |  number of ASNs)     |                           |
//   +----------------------+----------------------+---------------------------+
//
// Inside vpnlab paths are always 4-octet; the 2-octet wire form and the AS4_PATH merge
// (RFC 6793 §4.2.3) happen at the codec boundary.

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "bgp/codec/types.hpp"

namespace vpnlab::bgp {

enum class SegmentType : std::uint8_t {
  as_set = 1,
  as_sequence = 2,
  as_confed_sequence = 3,  // RFC 5065
  as_confed_set = 4,
};

struct AsSegment {
  SegmentType type = SegmentType::as_sequence;
  std::vector<Asn> asns;
  bool operator==(const AsSegment&) const = default;
};

struct AsPath {
  std::vector<AsSegment> segments;

  /// RFC 4271 §9.1.2.2 a): an AS_SET counts 1, confederation segments 0.
  std::size_t length() const;
  /// The first AS of the leftmost AS_SEQUENCE (the neighbour AS, RFC 4271 §9.1.2.2 c).
  std::optional<Asn> first() const;
  bool contains(Asn asn) const;
  bool needs_four_octets() const;
  /// Prepends asn count times to the leading AS_SEQUENCE (RFC 4271 §5.1.2).
  void prepend(Asn asn, std::size_t count = 1);
  /// "65000 64512 {1 2}" as in FRR's and the clouds' AS path columns.
  std::string to_string() const;
  bool operator==(const AsPath&) const = default;
};

/// Decodes segments until r is empty; std::nullopt on success, else what is malformed
/// (RFC 7606 §7.2 rules: unknown segment type, zero length, overrun) and error_offset.
std::optional<std::string> decode_as_path(ByteReader r, bool four_octet, AsPath& out,
                                          std::size_t& error_offset);
/// Writes the segments with 2- or 4-octet ASNs; in 2-octet form ASNs that do not fit
/// become AS_TRANS (RFC 6793 §4.2.2).
void encode_as_path(ByteWriter& w, const AsPath& path, bool four_octet);
/// RFC 6793 §4.2.3: the path a NEW speaker reconstructs from an OLD speaker's AS_PATH and
/// AS4_PATH.
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path);

}  // namespace vpnlab::bgp
