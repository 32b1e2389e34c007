#include "ike/codec/payload_ts.hpp"

#include <bit>

#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

TrafficSelector TrafficSelector::from_prefix(const Ipv4Prefix& p) {
  TrafficSelector ts;
  ts.start = p.network();
  ts.end = p.last();
  return ts;
}

std::string TrafficSelector::to_string() const {
  std::uint32_t span = end.value - start.value;
  std::string out;
  bool prefix = start.value <= end.value && (span & (span + 1)) == 0 && (start.value & span) == 0;
  if (prefix) {
    out = start.to_string() + "/" + std::to_string(32 - std::popcount(span));
  } else {
    out = start.to_string() + ".." + end.to_string();
  }
  bool any_port = start_port == 0 && end_port == 65535;
  if (ip_protocol || !any_port) {
    out += "[" + std::to_string(ip_protocol);
    if (!any_port)
      out += "/" + std::to_string(start_port) +
             (start_port == end_port ? "" : "-" + std::to_string(end_port));
    out += "]";
  }
  return out;
}

Result<TsPayload, ParseError> decode_ts(ByteReader& body) {
  std::size_t at = body.offset();
  auto count = body.u8();
  if (!count || !body.skip(3)) return Unexpected{truncated_error("TS Number of TSs", at)};
  if (*count == 0) return Unexpected{syntax_error("TS Number of TSs", at, "zero")};
  TsPayload ts;
  for (std::uint8_t i = 0; i < *count; ++i) {
    std::size_t ts_at = body.offset();
    auto type = body.u8();
    auto proto = body.u8();
    auto len = body.u16();
    if (!type || !proto || !len) return Unexpected{truncated_error("Traffic Selector", ts_at)};
    if (*len < 8) return Unexpected{syntax_error("TS Selector Length", ts_at + 2, "below 8")};
    auto sel = body.sub(*len - 4);
    if (!sel) return Unexpected{truncated_error("TS Selector Length", ts_at + 2)};
    if (*type == static_cast<std::uint8_t>(TsType::ipv6_addr_range)) continue;
    if (*type != static_cast<std::uint8_t>(TsType::ipv4_addr_range)) {
      return Unexpected{syntax_error("TS Type", ts_at, "unknown type")};
    }
    // RFC 7296 3.13.1: TS_IPV4_ADDR_RANGE selectors are 16 octets long.
    if (*len != 16) return Unexpected{syntax_error("TS Selector Length", ts_at + 2, "must be 16")};
    TrafficSelector s;
    s.ip_protocol = *proto;
    s.start_port = *sel->u16();
    s.end_port = *sel->u16();
    s.start.value = *sel->u32();
    s.end.value = *sel->u32();
    ts.selectors.push_back(s);
  }
  if (!body.empty()) return Unexpected{syntax_error("TS", body.offset(), "data after selectors")};
  return ts;
}

void encode_ts(const TsPayload& ts, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(ts.selectors.size()));
  w.u8(0);
  w.u16(0);
  for (const TrafficSelector& s : ts.selectors) {
    w.u8(static_cast<std::uint8_t>(TsType::ipv4_addr_range));
    w.u8(s.ip_protocol);
    w.u16(16);
    w.u16(s.start_port);
    w.u16(s.end_port);
    w.u32(s.start.value);
    w.u32(s.end.value);
  }
}

}  // namespace vpnlab::ike
