#include "bgp/codec/attr_codecs.hpp"

#include "bgp/codec/nlri.hpp"

namespace vpnlab::bgp::attr {

namespace {

using A = Rfc7606Action;
constexpr std::uint8_t kWellKnown = attr_flag::transitive;
constexpr std::uint8_t kOptTrans = attr_flag::optional | attr_flag::transitive;
constexpr std::uint8_t kOptNonTrans = attr_flag::optional;

std::optional<DecodeError> length_error(const AttrInput& in, const char* expected) {
  return attribute_error(
      in, UpdateSubcode::attribute_length_error,
      "length " + std::to_string(in.value.remaining()) + ", expected " + expected);
}

void put_u32(ByteWriter& w, std::uint8_t flags, AttrCode code, std::uint32_t v) {
  Bytes b;
  ByteWriter(b).u32(v);
  put_attribute(w, flags, code, b);
}

// RFC 4271 §5.1.3: 0.0.0.0, loopback, multicast and class E are never a valid next hop.
bool martian_next_hop(Ipv4Address a) {
  std::uint32_t top = a.value >> 24;
  return a.value == 0 || top == 127 || top >= 224;
}

}  // namespace

// ORIGIN: 1 octet, 0..2. RFC 7606 §7.1: malformed → treat-as-withdraw.
std::optional<DecodeError> decode_origin(const AttrInput& in, AttrDecodeState& st) {
  if (in.value.remaining() != 1) return length_error(in, "1");
  ByteReader v = in.value;
  auto o = *v.u8();
  if (o > 2)
    return attribute_error(in, UpdateSubcode::invalid_origin_attribute,
                           "value " + std::to_string(o) + " is not IGP/EGP/INCOMPLETE");
  st.attrs.origin = static_cast<Origin>(o);
  return std::nullopt;
}

void encode_origin(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (!a.origin) return;
  Bytes b{static_cast<std::uint8_t>(*a.origin)};
  put_attribute(w, kWellKnown, AttrCode::origin, b);
}

// AS_PATH. RFC 7606 §7.2: malformed → treat-as-withdraw.
std::optional<DecodeError> decode_as_path(const AttrInput& in, AttrDecodeState& st) {
  AsPath path;
  std::size_t at = in.offset;
  if (auto err = bgp::decode_as_path(in.value, st.options.four_octet_as, path, at)) {
    auto e = attribute_error(in, UpdateSubcode::malformed_as_path, *err);
    e.offset = at;
    return e;
  }
  st.attrs.as_path = std::move(path);
  return std::nullopt;
}

void encode_as_path(const PathAttributes& a, const CodecOptions& o, ByteWriter& w) {
  if (!a.as_path) return;
  Bytes b;
  ByteWriter bw(b);
  bgp::encode_as_path(bw, *a.as_path, o.four_octet_as);
  put_attribute(w, kWellKnown, AttrCode::as_path, b);
}

// NEXT_HOP: 4 octets. RFC 7606 §7.3: wrong length or a martian → treat-as-withdraw.
std::optional<DecodeError> decode_next_hop(const AttrInput& in, AttrDecodeState& st) {
  if (in.value.remaining() != 4) return length_error(in, "4");
  ByteReader v = in.value;
  Ipv4Address nh{*v.u32()};
  if (martian_next_hop(nh))
    return attribute_error(in, UpdateSubcode::invalid_next_hop_attribute,
                           nh.to_string() + " is not a valid next hop");
  st.attrs.next_hop = nh;
  return std::nullopt;
}

void encode_next_hop(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (a.next_hop) put_u32(w, kWellKnown, AttrCode::next_hop, a.next_hop->value);
}

// MULTI_EXIT_DISC: 4 octets. RFC 7606 §7.4: wrong length → treat-as-withdraw.
std::optional<DecodeError> decode_med(const AttrInput& in, AttrDecodeState& st) {
  if (in.value.remaining() != 4) return length_error(in, "4");
  ByteReader v = in.value;
  st.attrs.med = *v.u32();
  return std::nullopt;
}

void encode_med(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (a.med) put_u32(w, kOptNonTrans, AttrCode::multi_exit_disc, *a.med);
}

// LOCAL_PREF: 4 octets. RFC 7606 §7.5: wrong length → treat-as-withdraw; from an external
// peer it is discarded (RFC 4271 §5.1.5: ignored on eBGP).
std::optional<DecodeError> decode_local_pref(const AttrInput& in, AttrDecodeState& st) {
  if (st.options.ebgp) return std::nullopt;
  if (in.value.remaining() != 4) return length_error(in, "4");
  ByteReader v = in.value;
  st.attrs.local_pref = *v.u32();
  return std::nullopt;
}

void encode_local_pref(const PathAttributes& a, const CodecOptions& o, ByteWriter& w) {
  // RFC 4271 §5.1.5: LOCAL_PREF is not sent to external peers.
  if (a.local_pref && !o.ebgp) put_u32(w, kWellKnown, AttrCode::local_pref, *a.local_pref);
}

// ATOMIC_AGGREGATE: length 0. RFC 7606 §7.6: otherwise attribute discard.
std::optional<DecodeError> decode_atomic_aggregate(const AttrInput& in, AttrDecodeState& st) {
  if (in.value.remaining() != 0) return length_error(in, "0");
  st.attrs.atomic_aggregate = true;
  return std::nullopt;
}

void encode_atomic_aggregate(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (a.atomic_aggregate) put_attribute(w, kWellKnown, AttrCode::atomic_aggregate, {});
}

// AGGREGATOR: AS (2 or 4 octets, RFC 6793 §4) + IPv4 address. RFC 7606 §7.7: wrong length
// → attribute discard.
std::optional<DecodeError> decode_aggregator(const AttrInput& in, AttrDecodeState& st) {
  bool four = st.options.four_octet_as;
  if (in.value.remaining() != (four ? 8u : 6u)) return length_error(in, four ? "8" : "6");
  ByteReader v = in.value;
  Asn asn{four ? *v.u32() : std::uint32_t{*v.u16()}};
  st.attrs.aggregator = Aggregator{asn, Ipv4Address{*v.u32()}};
  return std::nullopt;
}

void encode_aggregator(const PathAttributes& a, const CodecOptions& o, ByteWriter& w) {
  if (!a.aggregator) return;
  Bytes b;
  ByteWriter bw(b);
  Asn asn = a.aggregator->asn;
  if (o.four_octet_as)
    bw.u32(asn.value);
  else
    bw.u16(static_cast<std::uint16_t>(asn.fits_two_octets() ? asn.value : kAsTrans.value));
  bw.u32(a.aggregator->address.value);
  put_attribute(w, kOptTrans, AttrCode::aggregator, b);
}

// COMMUNITIES: a non-empty multiple of 4 octets. RFC 7606 §7.8: else treat-as-withdraw.
std::optional<DecodeError> decode_communities(const AttrInput& in, AttrDecodeState& st) {
  std::size_t n = in.value.remaining();
  if (n == 0 || n % 4 != 0) return length_error(in, "a non-zero multiple of 4");
  ByteReader v = in.value;
  while (!v.empty()) st.attrs.communities.push_back(*v.u32());
  return std::nullopt;
}

void encode_communities(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (a.communities.empty()) return;
  Bytes b;
  ByteWriter bw(b);
  for (auto c : a.communities) bw.u32(c);
  put_attribute(w, kOptTrans, AttrCode::communities, b);
}

// MP_REACH_NLRI (RFC 4760 §3): AFI(2) SAFI(1) NH-len(1) NH Reserved(1) NLRI.
std::optional<DecodeError> decode_mp_reach(const AttrInput& in, AttrDecodeState& st) {
  ByteReader v = in.value;
  auto afi = v.u16();
  auto safi = v.u8();
  auto nh_len = v.u8();
  auto nh = nh_len ? v.bytes(*nh_len) : std::nullopt;
  if (!afi || !safi || !nh || !v.skip(1))
    return attribute_error(in, UpdateSubcode::optional_attribute_error,
                           "truncated before the NLRI");
  MpReach mp{
      AfiSafi{static_cast<Afi>(*afi), static_cast<Safi>(*safi)}, Bytes(nh->begin(), nh->end()), {}};
  if (mp.afi_safi == kIpv4Unicast) {
    if (*nh_len != 4)
      return attribute_error(in, UpdateSubcode::optional_attribute_error,
                             "IPv4 next hop length " + std::to_string(*nh_len));
    std::size_t at = in.offset;
    if (auto err = decode_prefixes(v, mp.nlri, at)) {
      auto e = attribute_error(in, UpdateSubcode::optional_attribute_error, *err);
      e.offset = at;
      return e;
    }
  }
  st.attrs.mp_reach = std::move(mp);
  return std::nullopt;
}

void encode_mp_reach(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (!a.mp_reach) return;
  Bytes b;
  ByteWriter bw(b);
  bw.u16(static_cast<std::uint16_t>(a.mp_reach->afi_safi.afi));
  bw.u8(static_cast<std::uint8_t>(a.mp_reach->afi_safi.safi));
  bw.u8(static_cast<std::uint8_t>(a.mp_reach->next_hop.size()));
  bw.bytes(a.mp_reach->next_hop);
  bw.u8(0);
  for (const auto& p : a.mp_reach->nlri) encode_prefix(bw, p);
  put_attribute(w, kOptNonTrans, AttrCode::mp_reach_nlri, b);
}

// MP_UNREACH_NLRI (RFC 4760 §4): AFI(2) SAFI(1) Withdrawn Routes.
std::optional<DecodeError> decode_mp_unreach(const AttrInput& in, AttrDecodeState& st) {
  ByteReader v = in.value;
  auto afi = v.u16();
  auto safi = v.u8();
  if (!afi || !safi)
    return attribute_error(in, UpdateSubcode::optional_attribute_error, "truncated AFI/SAFI");
  MpUnreach mp{AfiSafi{static_cast<Afi>(*afi), static_cast<Safi>(*safi)}, {}};
  if (mp.afi_safi == kIpv4Unicast) {
    std::size_t at = in.offset;
    if (auto err = decode_prefixes(v, mp.withdrawn, at)) {
      auto e = attribute_error(in, UpdateSubcode::optional_attribute_error, *err);
      e.offset = at;
      return e;
    }
  }
  st.attrs.mp_unreach = std::move(mp);
  return std::nullopt;
}

void encode_mp_unreach(const PathAttributes& a, const CodecOptions&, ByteWriter& w) {
  if (!a.mp_unreach) return;
  Bytes b;
  ByteWriter bw(b);
  bw.u16(static_cast<std::uint16_t>(a.mp_unreach->afi_safi.afi));
  bw.u8(static_cast<std::uint8_t>(a.mp_unreach->afi_safi.safi));
  for (const auto& p : a.mp_unreach->withdrawn) encode_prefix(bw, p);
  put_attribute(w, kOptNonTrans, AttrCode::mp_unreach_nlri, b);
}

// AS4_PATH (RFC 6793 §3): 4-octet segments, no confederation segments (§6); malformed →
// attribute discard.
std::optional<DecodeError> decode_as4_path(const AttrInput& in, AttrDecodeState& st) {
  AsPath path;
  std::size_t at = in.offset;
  if (auto err = bgp::decode_as_path(in.value, true, path, at)) {
    auto e = attribute_error(in, UpdateSubcode::optional_attribute_error, *err);
    e.offset = at;
    return e;
  }
  for (const auto& s : path.segments)
    if (s.type == SegmentType::as_confed_sequence || s.type == SegmentType::as_confed_set)
      return attribute_error(in, UpdateSubcode::optional_attribute_error,
                             "confederation segment in AS4_PATH");
  st.as4_path = std::move(path);
  return std::nullopt;
}

void encode_as4_path(const PathAttributes& a, const CodecOptions& o, ByteWriter& w) {
  // RFC 6793 §4.2.2: sent to an OLD speaker only when the path has 4-octet ASNs.
  if (o.four_octet_as || !a.as_path || !a.as_path->needs_four_octets()) return;
  Bytes b;
  ByteWriter bw(b);
  bgp::encode_as_path(bw, *a.as_path, true);
  put_attribute(w, kOptTrans, AttrCode::as4_path, b);
}

// AS4_AGGREGATOR (RFC 6793 §3): 8 octets; malformed → attribute discard.
std::optional<DecodeError> decode_as4_aggregator(const AttrInput& in, AttrDecodeState& st) {
  if (in.value.remaining() != 8) return length_error(in, "8");
  ByteReader v = in.value;
  Asn asn{*v.u32()};
  st.as4_aggregator = Aggregator{asn, Ipv4Address{*v.u32()}};
  return std::nullopt;
}

void encode_as4_aggregator(const PathAttributes& a, const CodecOptions& o, ByteWriter& w) {
  if (o.four_octet_as || !a.aggregator || a.aggregator->asn.fits_two_octets()) return;
  Bytes b;
  ByteWriter bw(b);
  bw.u32(a.aggregator->asn.value);
  bw.u32(a.aggregator->address.value);
  put_attribute(w, kOptTrans, AttrCode::as4_aggregator, b);
}

}  // namespace vpnlab::bgp::attr
