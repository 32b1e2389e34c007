#include "bgp/codec/update.hpp"

#include "bgp/codec/header.hpp"
#include "bgp/codec/nlri.hpp"

namespace vpnlab::bgp {

bool UpdateMessage::is_end_of_rib() const {
  if (!withdrawn.empty() || !nlri.empty()) return false;
  if (attrs.empty()) return true;
  PathAttributes only_unreach;
  only_unreach.mp_unreach = MpUnreach{kIpv4Unicast, {}};
  return attrs == only_unreach;
}

std::vector<Ipv4Prefix> UpdateMessage::announced() const {
  std::vector<Ipv4Prefix> out = nlri;
  if (attrs.mp_reach && attrs.mp_reach->afi_safi == kIpv4Unicast)
    out.insert(out.end(), attrs.mp_reach->nlri.begin(), attrs.mp_reach->nlri.end());
  return out;
}

std::vector<Ipv4Prefix> UpdateMessage::withdrawn_all() const {
  std::vector<Ipv4Prefix> out = withdrawn;
  if (attrs.mp_unreach && attrs.mp_unreach->afi_safi == kIpv4Unicast)
    out.insert(out.end(), attrs.mp_unreach->withdrawn.begin(), attrs.mp_unreach->withdrawn.end());
  return out;
}

namespace {

// RFC 4271 §6.3 / RFC 7606 §3(d): ORIGIN, AS_PATH and (for classic NLRI) NEXT_HOP must be
// present when anything is announced; a missing one → treat-as-withdraw.
void check_mandatory(const UpdateMessage& u, std::size_t attrs_offset,
                     std::vector<DecodeError>& errors, Rfc7606Action& action) {
  bool reach = !u.nlri.empty() || (u.attrs.mp_reach && !u.attrs.mp_reach->nlri.empty());
  if (!reach) return;
  auto missing = [&](AttrCode code, const char* name) {
    // Present but malformed (already reported with its own error) is not "missing".
    std::string field = attribute_field(static_cast<std::uint8_t>(code));
    for (const auto& e : errors)
      if (e.field == field) return;
    errors.push_back(update_error(
        "UPDATE Path Attributes", attrs_offset, std::string("missing well-known attribute ") + name,
        UpdateSubcode::missing_well_known_attribute, Rfc7606Action::treat_as_withdraw,
        Bytes{static_cast<std::uint8_t>(code)}));
    action = std::max(action, Rfc7606Action::treat_as_withdraw);
  };
  if (!u.attrs.origin) missing(AttrCode::origin, "ORIGIN");
  if (!u.attrs.as_path) missing(AttrCode::as_path, "AS_PATH");
  if (!u.nlri.empty() && !u.attrs.next_hop) missing(AttrCode::next_hop, "NEXT_HOP");
}

// RFC 7606 §2 treat-as-withdraw: the announced prefixes become withdrawals.
void apply_treat_as_withdraw(UpdateMessage& u) {
  auto gone = u.announced();
  auto withdrawn = u.withdrawn_all();
  withdrawn.insert(withdrawn.end(), gone.begin(), gone.end());
  u = UpdateMessage{};
  u.withdrawn = std::move(withdrawn);
}

DecodeError network_error(const char* field, std::size_t at, std::string msg) {
  // RFC 7606 §5.3: NLRI that cannot be parsed → session reset.
  return update_error(field, at, std::move(msg), UpdateSubcode::invalid_network_field,
                      Rfc7606Action::session_reset);
}

}  // namespace

Result<DecodedUpdate, DecodeError> decode_update(ByteSpan body, const CodecOptions& opts) {
  ByteReader r(body, kHeaderSize);
  DecodedUpdate out;
  UpdateMessage& u = out.update;
  auto wlen = r.u16();
  auto withdrawn = wlen ? r.sub(*wlen) : std::nullopt;
  auto alen = withdrawn ? r.u16() : std::nullopt;
  std::size_t attrs_offset = r.offset();
  auto attrs = alen ? r.sub(*alen) : std::nullopt;
  // RFC 4271 §6.3 / RFC 7606 §5.3: lengths that overrun the message → Malformed Attribute
  // List, session reset.
  if (!attrs)
    return Unexpected{update_error("UPDATE Withdrawn Routes Length / Total Path Attribute Length",
                                   kHeaderSize, "lengths overrun the message",
                                   UpdateSubcode::malformed_attribute_list,
                                   Rfc7606Action::session_reset)};
  std::size_t at = 0;
  if (auto err = decode_prefixes(*withdrawn, u.withdrawn, at))
    return Unexpected{network_error("UPDATE Withdrawn Routes", at, *err)};
  if (auto err = decode_prefixes(r, u.nlri, at))
    return Unexpected{network_error("UPDATE NLRI", at, *err)};
  out.action = decode_attributes(*attrs, opts, u.attrs, out.errors);
  if (out.action == Rfc7606Action::session_reset || out.action == Rfc7606Action::afi_safi_disable) {
    for (auto& e : out.errors)
      if (e.action >= Rfc7606Action::afi_safi_disable) return Unexpected{std::move(e)};
  }
  check_mandatory(u, attrs_offset, out.errors, out.action);
  if (out.action == Rfc7606Action::treat_as_withdraw) apply_treat_as_withdraw(u);
  return out;
}

Bytes encode_update(const UpdateMessage& m, const CodecOptions& opts) {
  Bytes out;
  ByteWriter w(out);
  auto start = begin_message(w, MessageType::update);
  std::size_t wpos = w.size();
  w.u16(0);
  for (const auto& p : m.withdrawn) encode_prefix(w, p);
  w.patch_u16(wpos, static_cast<std::uint16_t>(w.size() - wpos - 2));
  std::size_t apos = w.size();
  w.u16(0);
  encode_attributes(w, m.attrs, opts);
  w.patch_u16(apos, static_cast<std::uint16_t>(w.size() - apos - 2));
  for (const auto& p : m.nlri) encode_prefix(w, p);
  finish_message(w, start);
  return out;
}

Bytes encode_end_of_rib() {
  return encode_update(UpdateMessage{}, CodecOptions{});
}

}  // namespace vpnlab::bgp
