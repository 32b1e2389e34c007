#include "bgp/codec/attributes.hpp"

#include "bgp/codec/attr_codecs.hpp"

// Known deviations from RFC 4271 §6.3 (all in favour of RFC 7606): flag conflicts and
// length errors on known attributes take the attribute's RFC 7606 action instead of a
// session reset; the Partial bit of well-known attributes is not checked.

namespace vpnlab::bgp {

namespace {

using A = Rfc7606Action;
constexpr std::uint8_t kWellKnown = attr_flag::transitive;
constexpr std::uint8_t kOptTrans = attr_flag::optional | attr_flag::transitive;
constexpr std::uint8_t kOptNonTrans = attr_flag::optional;

constexpr std::array<AttrDesc, 256> make_table() {
  std::array<AttrDesc, 256> t{};
  // RFC 7606 §7.1-§7.11 give the action for each malformed attribute.
  t[1] = {"ORIGIN", kWellKnown, A::treat_as_withdraw, attr::decode_origin, attr::encode_origin};
  t[2] = {"AS_PATH", kWellKnown, A::treat_as_withdraw, attr::decode_as_path, attr::encode_as_path};
  t[3] = {"NEXT_HOP", kWellKnown, A::treat_as_withdraw, attr::decode_next_hop,
          attr::encode_next_hop};
  t[4] = {"MULTI_EXIT_DISC", kOptNonTrans, A::treat_as_withdraw, attr::decode_med,
          attr::encode_med};
  t[5] = {"LOCAL_PREF", kWellKnown, A::treat_as_withdraw, attr::decode_local_pref,
          attr::encode_local_pref};
  t[6] = {"ATOMIC_AGGREGATE", kWellKnown, A::attribute_discard, attr::decode_atomic_aggregate,
          attr::encode_atomic_aggregate};
  t[7] = {"AGGREGATOR", kOptTrans, A::attribute_discard, attr::decode_aggregator,
          attr::encode_aggregator};
  t[8] = {"COMMUNITIES", kOptTrans, A::treat_as_withdraw, attr::decode_communities,
          attr::encode_communities};
  // RFC 7606 §7.11: malformed MP_REACH/MP_UNREACH → AFI/SAFI disable or session reset;
  // with IPv4 unicast the only family, both amount to a reset.
  t[14] = {"MP_REACH_NLRI", kOptNonTrans, A::session_reset, attr::decode_mp_reach,
           attr::encode_mp_reach};
  t[15] = {"MP_UNREACH_NLRI", kOptNonTrans, A::session_reset, attr::decode_mp_unreach,
           attr::encode_mp_unreach};
  // RFC 6793 §6: malformed AS4_PATH / AS4_AGGREGATOR → attribute discard.
  t[17] = {"AS4_PATH", kOptTrans, A::attribute_discard, attr::decode_as4_path,
           attr::encode_as4_path};
  t[18] = {"AS4_AGGREGATOR", kOptTrans, A::attribute_discard, attr::decode_as4_aggregator,
           attr::encode_as4_aggregator};
  return t;
}

constexpr std::array<AttrDesc, 256> kTable = make_table();

bool is_mp(std::uint8_t code) {
  return code == 14 || code == 15;
}

// Reads one attribute header; std::nullopt with err set when it overruns the field.
std::optional<AttrInput> next_attribute(ByteReader& r, std::optional<DecodeError>& err) {
  std::size_t at = r.offset();
  ByteSpan rest = r.rest();
  auto flags = r.u8();
  auto code = r.u8();
  std::optional<std::uint32_t> len;
  if (flags && code) {
    if (*flags & attr_flag::extended_length)
      len = r.u16();
    else if (auto l = r.u8())
      len = *l;
  }
  std::optional<ByteReader> value;
  if (len) value = r.sub(*len);
  if (!value) {
    // RFC 7606 §4: an attribute whose length overruns the Path Attributes field makes the
    // rest unparseable; the NLRI are still located by Total Path Attribute Length, so
    // treat-as-withdraw.
    err = update_error("UPDATE Path Attributes", at, "attribute header or length overruns",
                       UpdateSubcode::malformed_attribute_list, A::treat_as_withdraw);
    return std::nullopt;
  }
  std::size_t header = (*flags & attr_flag::extended_length) ? 4 : 3;
  return AttrInput{*flags, *code, *value, at, rest.first(header + *len)};
}

// Unknown type codes (RFC 4271 §5, §6.3).
std::optional<DecodeError> unknown_attribute(const AttrInput& in, PathAttributes& out) {
  if (!(in.flags & attr_flag::optional)) {
    DecodeError e =
        update_error(attribute_field(in.code), in.offset, "unrecognized well-known attribute",
                     UpdateSubcode::unrecognized_well_known_attribute, A::session_reset,
                     Bytes(in.whole.begin(), in.whole.end()));
    return e;
  }
  if (in.flags & attr_flag::transitive) {
    auto v = in.value.rest();
    out.unknown.push_back(RawAttribute{static_cast<std::uint8_t>(in.flags | attr_flag::partial),
                                       in.code, Bytes(v.begin(), v.end())});
  }
  return std::nullopt;  // optional non-transitive: quietly ignored
}

void merge_as4(AttrDecodeState& st) {
  auto& a = st.attrs;
  if (st.options.four_octet_as) return;  // RFC 6793 §4.1: NEW-NEW sessions ignore AS4_*
  // RFC 6793 §4.2.3: an AGGREGATOR whose AS is not AS_TRANS means AS4_AGGREGATOR and
  // AS4_PATH are ignored.
  if (a.aggregator && a.aggregator->asn != kAsTrans) return;
  if (st.as4_aggregator && a.aggregator) a.aggregator = st.as4_aggregator;
  if (st.as4_path && a.as_path) a.as_path = merge_as4_path(*a.as_path, *st.as4_path);
}

}  // namespace

const std::array<AttrDesc, 256>& attribute_table() {
  return kTable;
}

std::string attribute_field(std::uint8_t code) {
  const char* name = kTable[code].name ? kTable[code].name : "unknown";
  return std::string("UPDATE attribute ") + name + " (type " + std::to_string(code) + ")";
}

DecodeError attribute_error(const AttrInput& in, UpdateSubcode sub, std::string message,
                            std::optional<Rfc7606Action> action) {
  return update_error(attribute_field(in.code), in.offset, std::move(message), sub,
                      action.value_or(kTable[in.code].malformed),
                      Bytes(in.whole.begin(), in.whole.end()));
}

Rfc7606Action decode_attributes(ByteReader r, const CodecOptions& opts, PathAttributes& out,
                                std::vector<DecodeError>& errors) {
  AttrDecodeState st{out, opts, std::nullopt, std::nullopt};
  std::array<bool, 256> seen{};
  A strongest = A::none;
  auto record = [&](DecodeError e) {
    strongest = std::max(strongest, e.action);
    errors.push_back(std::move(e));
  };
  while (!r.empty()) {
    std::optional<DecodeError> err;
    auto in = next_attribute(r, err);
    if (!in) {
      record(std::move(*err));
      break;
    }
    const AttrDesc& d = kTable[in->code];
    if (seen[in->code]) {
      // RFC 7606 §3(g): repeated MP_REACH/MP_UNREACH → session reset; any other repeated
      // attribute: discard all but the first.
      record(attribute_error(*in, UpdateSubcode::malformed_attribute_list, "repeated attribute",
                             is_mp(in->code) ? A::session_reset : A::attribute_discard));
      continue;
    }
    seen[in->code] = true;
    if (!d.name) {
      if (auto e = unknown_attribute(*in, out)) record(std::move(*e));
      continue;
    }
    // RFC 7606 §3(c): Optional/Transitive bits in conflict with the attribute's definition
    // → the attribute is malformed (its own action).
    std::uint8_t ot = in->flags & (attr_flag::optional | attr_flag::transitive);
    if (ot != d.flags) {
      record(attribute_error(*in, UpdateSubcode::attribute_flags_error,
                             "flags 0x" + to_hex(Bytes{in->flags}) + " conflict with the type"));
      continue;
    }
    if (auto e = d.decode(*in, st)) record(std::move(*e));
  }
  merge_as4(st);
  return strongest;
}

void put_attribute(ByteWriter& w, std::uint8_t flags, AttrCode code, ByteSpan value) {
  bool extended = value.size() > 255;
  w.u8(static_cast<std::uint8_t>(flags | (extended ? attr_flag::extended_length : 0)));
  w.u8(static_cast<std::uint8_t>(code));
  if (extended)
    w.u16(static_cast<std::uint16_t>(value.size()));
  else
    w.u8(static_cast<std::uint8_t>(value.size()));
  w.bytes(value);
}

void encode_attributes(ByteWriter& w, const PathAttributes& attrs, const CodecOptions& opts) {
  for (const auto& d : kTable)
    if (d.encode) d.encode(attrs, opts, w);
  for (const auto& u : attrs.unknown)
    put_attribute(w, static_cast<std::uint8_t>(u.flags & ~attr_flag::extended_length),
                  static_cast<AttrCode>(u.code), u.value);
}

}  // namespace vpnlab::bgp
