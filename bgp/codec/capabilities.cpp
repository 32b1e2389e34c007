#include "bgp/codec/capabilities.hpp"

#include <algorithm>

namespace vpnlab::bgp {

bool Capabilities::supports(AfiSafi f) const {
  return std::find(multiprotocol.begin(), multiprotocol.end(), f) != multiprotocol.end();
}

namespace {

DecodeError cap_error(const char* name, std::size_t offset, std::string msg) {
  return open_error(std::string("OPEN capability ") + name, offset, std::move(msg),
                    OpenSubcode::unspecific);
}

// RFC 4760 §8: AFI (2), Reserved (1), SAFI (1).
std::optional<DecodeError> decode_multiprotocol(ByteReader v, Capabilities& caps) {
  if (v.remaining() != 4) return cap_error("Multiprotocol (1)", v.offset(), "length is not 4");
  auto afi = *v.u16();
  v.skip(1);
  auto safi = *v.u8();
  caps.multiprotocol.push_back(AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(safi)});
  return std::nullopt;
}

// RFC 4724 §3: Restart Flags (4 bits) | Restart Time (12 bits), then AFI/SAFI/Flags tuples.
std::optional<DecodeError> decode_graceful_restart(ByteReader v, Capabilities& caps) {
  if (v.remaining() < 2 || (v.remaining() - 2) % 4 != 0)
    return cap_error("Graceful Restart (64)", v.offset(), "length is not 2 + 4n");
  GracefulRestartCapability gr;
  auto word = *v.u16();
  gr.restart_state = (word & 0x8000) != 0;
  gr.restart_time = Seconds(word & 0x0fff);
  while (!v.empty()) {
    auto afi = *v.u16();
    auto safi = *v.u8();
    auto flags = *v.u8();
    gr.families.push_back(
        {AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(safi)}, (flags & 0x80) != 0});
  }
  caps.graceful_restart = std::move(gr);
  return std::nullopt;
}

std::optional<DecodeError> decode_one(std::uint8_t code, ByteReader v, Capabilities& caps) {
  switch (static_cast<CapabilityCode>(code)) {
    case CapabilityCode::multiprotocol:
      return decode_multiprotocol(v, caps);
    case CapabilityCode::route_refresh:
      // RFC 2918 §2: Capability Length 0.
      if (!v.empty()) return cap_error("Route Refresh (2)", v.offset(), "length is not 0");
      caps.route_refresh = true;
      return std::nullopt;
    case CapabilityCode::graceful_restart:
      return decode_graceful_restart(v, caps);
    case CapabilityCode::four_octet_as:
      // RFC 6793 §3: the capability value is the 4-octet AS number.
      if (v.remaining() != 4) return cap_error("4-octet AS (65)", v.offset(), "length is not 4");
      caps.four_octet_as = Asn{*v.u32()};
      return std::nullopt;
  }
  auto rest = v.rest();
  caps.unknown.push_back(RawCapability{code, Bytes(rest.begin(), rest.end())});
  return std::nullopt;
}

}  // namespace

std::optional<DecodeError> decode_capabilities(ByteReader r, Capabilities& caps) {
  while (!r.empty()) {
    std::size_t at = r.offset();
    auto code = r.u8();
    auto len = r.u8();
    if (!code || !len) return cap_error("header", at, "truncated capability header");
    auto value = r.sub(*len);
    if (!value)
      return cap_error("header", at,
                       "Capability Length " + std::to_string(*len) + " exceeds the " +
                           std::to_string(r.remaining()) + " bytes left");
    if (auto err = decode_one(*code, *value, caps)) return err;
  }
  return std::nullopt;
}

namespace {
void put_cap(ByteWriter& w, CapabilityCode code, ByteSpan value) {
  w.u8(static_cast<std::uint8_t>(code));
  w.u8(static_cast<std::uint8_t>(value.size()));
  w.bytes(value);
}
}  // namespace

void encode_capabilities_parameter(ByteWriter& w, const Capabilities& caps) {
  Bytes body;
  ByteWriter b(body);
  for (const auto& f : caps.multiprotocol) {
    Bytes v;
    ByteWriter vw(v);
    vw.u16(static_cast<std::uint16_t>(f.afi));
    vw.u8(0);
    vw.u8(static_cast<std::uint8_t>(f.safi));
    put_cap(b, CapabilityCode::multiprotocol, v);
  }
  if (caps.route_refresh) put_cap(b, CapabilityCode::route_refresh, {});
  if (caps.graceful_restart) {
    const auto& gr = *caps.graceful_restart;
    Bytes v;
    ByteWriter vw(v);
    vw.u16(static_cast<std::uint16_t>((gr.restart_state ? 0x8000 : 0) |
                                      (gr.restart_time.count() & 0x0fff)));
    for (const auto& f : gr.families) {
      vw.u16(static_cast<std::uint16_t>(f.afi_safi.afi));
      vw.u8(static_cast<std::uint8_t>(f.afi_safi.safi));
      vw.u8(f.forwarding_preserved ? 0x80 : 0);
    }
    put_cap(b, CapabilityCode::graceful_restart, v);
  }
  if (caps.four_octet_as) {
    Bytes v;
    ByteWriter(v).u32(caps.four_octet_as->value);
    put_cap(b, CapabilityCode::four_octet_as, v);
  }
  for (const auto& u : caps.unknown) put_cap(b, static_cast<CapabilityCode>(u.code), u.value);
  if (body.empty()) return;
  w.u8(2);  // RFC 5492 §4: Optional Parameter Type 2 = Capabilities
  w.u8(static_cast<std::uint8_t>(body.size()));
  w.bytes(body);
}

}  // namespace vpnlab::bgp
