#pragma once
// UPDATE path attributes (RFC 4271 §4.3 and §5) as one table, indexed by type code:
// name, the Optional/Transitive flags the RFC fixes, the RFC 7606 action for a malformed
// instance, and the decode/encode functions. decode_attributes() does the common checks
// once (flags, length framing, duplicates, unknown attributes — RFC 7606 §3, §4) and then
// calls the per-attribute decoder (attr_*.cpp), which is a list of checks.
//
// Each attribute on the wire:
//   +---------------+---------------+-------------------------------+
//   | Attr. Flags   | Attr. Type    | Length (1, or 2 if Extended)  |  Value ...
//   +---------------+---------------+-------------------------------+

#include <array>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/ip.hpp"
#include "bgp/codec/attr_as_path.hpp"
#include "bgp/codec/decode_error.hpp"

namespace vpnlab::bgp {

/// RFC 4271 §4.3 AGGREGATOR (held 4-octet; AS4_AGGREGATOR merged, RFC 6793 §4.2.3).
struct Aggregator {
  Asn asn;
  Ipv4Address address;
  bool operator==(const Aggregator&) const = default;
};

/// An attribute vpnlab does not interpret: optional transitive ones are passed on with the
/// Partial bit set (RFC 4271 §5).
struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t code = 0;
  Bytes value;
  bool operator==(const RawAttribute&) const = default;
};

/// RFC 4760 §3 MP_REACH_NLRI; only IPv4 unicast NLRI are decoded.
struct MpReach {
  AfiSafi afi_safi = kIpv4Unicast;
  Bytes next_hop;  // raw Network Address of Next Hop
  std::vector<Ipv4Prefix> nlri;
  bool operator==(const MpReach&) const = default;
};
/// RFC 4760 §4 MP_UNREACH_NLRI; empty withdrawn = End-of-RIB for that family (RFC 4724 §2).
struct MpUnreach {
  AfiSafi afi_safi = kIpv4Unicast;
  std::vector<Ipv4Prefix> withdrawn;
  bool operator==(const MpUnreach&) const = default;
};

struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<Ipv4Address> next_hop;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<std::uint32_t> communities;  // RFC 1997
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;
  std::vector<RawAttribute> unknown;

  bool empty() const { return *this == PathAttributes{}; }
  bool operator==(const PathAttributes&) const = default;
};

/// Session context the codec needs (RFC 6793 2- vs 4-octet ASNs; RFC 7606 §7.5 eBGP).
struct CodecOptions {
  bool four_octet_as = true;
  bool ebgp = true;
};

/// Decoding state shared by the per-attribute decoders.
struct AttrDecodeState {
  PathAttributes& attrs;
  const CodecOptions& options;
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
};

struct AttrInput {
  std::uint8_t flags = 0;
  std::uint8_t code = 0;
  ByteReader value;
  std::size_t offset = 0;  // of the attribute's flags octet
  ByteSpan whole;          // flags..value, the Data of an attribute NOTIFICATION
};

using AttrDecodeFn = std::optional<DecodeError> (*)(const AttrInput&, AttrDecodeState&);
using AttrEncodeFn = void (*)(const PathAttributes&, const CodecOptions&, ByteWriter&);

struct AttrDesc {
  const char* name = nullptr;  // nullptr = not a known attribute
  std::uint8_t flags = 0;      // the Optional|Transitive bits the RFC fixes
  Rfc7606Action malformed = Rfc7606Action::session_reset;
  AttrDecodeFn decode = nullptr;
  AttrEncodeFn encode = nullptr;
};

const std::array<AttrDesc, 256>& attribute_table();
/// "AS_PATH (type 2)" for errors and logs.
std::string attribute_field(std::uint8_t code);

/// Builds the RFC 7606 error for attribute `in` with the table's malformed action.
DecodeError attribute_error(const AttrInput& in, UpdateSubcode sub, std::string message,
                            std::optional<Rfc7606Action> action = std::nullopt);

/// Decodes the Path Attributes field. Non-fatal errors (discard, treat-as-withdraw) are
/// appended to errors; the return value is the strongest action seen.
Rfc7606Action decode_attributes(ByteReader r, const CodecOptions& opts, PathAttributes& out,
                                std::vector<DecodeError>& errors);
/// Writes every present attribute in type-code order, with Extended Length when needed.
void encode_attributes(ByteWriter& w, const PathAttributes& attrs, const CodecOptions& opts);
/// Writes one attribute header + value (helper for the per-attribute encoders).
void put_attribute(ByteWriter& w, std::uint8_t flags, AttrCode code, ByteSpan value);

}  // namespace vpnlab::bgp
