#include "bgp/codec/open.hpp"

#include "bgp/codec/header.hpp"

namespace vpnlab::bgp {

Result<OpenMessage, DecodeError> decode_open(ByteSpan body) {
  ByteReader r(body, kHeaderSize);
  OpenMessage m;
  auto version = r.u8();
  auto my_as = r.u16();
  auto hold = r.u16();
  auto id = r.u32();
  auto opt_len = r.u8();
  if (!version || !my_as || !hold || !id || !opt_len)
    return Unexpected{
        open_error("OPEN", r.offset(), "truncated fixed part", OpenSubcode::unspecific)};
  // RFC 4271 §6.2: Data is the largest locally supported version number (2 octets).
  if (*version != 4)
    return Unexpected{open_error("OPEN Version", 19, "version " + std::to_string(*version),
                                 OpenSubcode::unsupported_version_number, Bytes{0, 4})};
  // RFC 4271 §6.2: Hold Time of one or two seconds MUST be rejected.
  if (*hold == 1 || *hold == 2)
    return Unexpected{open_error("OPEN Hold Time", 22, "hold time " + std::to_string(*hold),
                                 OpenSubcode::unacceptable_hold_time)};
  // RFC 6286 §2.2: the BGP Identifier is a non-zero 4-octet value.
  if (*id == 0)
    return Unexpected{
        open_error("OPEN BGP Identifier", 24, "zero", OpenSubcode::bad_bgp_identifier)};
  m.version = *version;
  m.my_as = *my_as;
  m.hold_time = Seconds(*hold);
  m.bgp_identifier = Ipv4Address{*id};
  auto params = r.sub(*opt_len);
  if (!params || !r.empty())
    return Unexpected{open_error("OPEN Optional Parameters Length", 28,
                                 "length " + std::to_string(*opt_len) + " disagrees with the " +
                                     std::to_string(body.size() - 10) + " bytes present",
                                 OpenSubcode::unspecific)};
  while (!params->empty()) {
    std::size_t at = params->offset();
    auto type = params->u8();
    auto len = params->u8();
    auto value = len ? params->sub(*len) : std::nullopt;
    if (!type || !value)
      return Unexpected{open_error("OPEN Optional Parameter", at, "length overruns the list",
                                   OpenSubcode::unspecific)};
    // RFC 5492 §4 / RFC 4271 §6.2: only Capabilities (2) are understood.
    if (*type != 2)
      return Unexpected{open_error("OPEN Optional Parameter", at,
                                   "unsupported parameter type " + std::to_string(*type),
                                   OpenSubcode::unsupported_optional_parameter)};
    if (auto err = decode_capabilities(*value, m.capabilities)) return Unexpected{*err};
  }
  return m;
}

Bytes encode_open(const OpenMessage& m) {
  Bytes out;
  ByteWriter w(out);
  auto start = begin_message(w, MessageType::open);
  w.u8(m.version);
  w.u16(m.my_as);
  w.u16(static_cast<std::uint16_t>(m.hold_time.count()));
  w.u32(m.bgp_identifier.value);
  Bytes params;
  ByteWriter pw(params);
  encode_capabilities_parameter(pw, m.capabilities);
  w.u8(static_cast<std::uint8_t>(params.size()));
  w.bytes(params);
  finish_message(w, start);
  return out;
}

OpenMessage make_open(Asn asn, Seconds hold_time, Ipv4Address id, Capabilities caps) {
  OpenMessage m;
  // RFC 6793 §4.1: My Autonomous System carries AS_TRANS when the ASN needs 4 octets.
  m.my_as = static_cast<std::uint16_t>(asn.fits_two_octets() ? asn.value : kAsTrans.value);
  m.hold_time = hold_time;
  m.bgp_identifier = id;
  m.capabilities = std::move(caps);
  m.capabilities.four_octet_as = asn;
  return m;
}

}  // namespace vpnlab::bgp
