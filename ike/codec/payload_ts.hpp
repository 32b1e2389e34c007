#pragma once
// Traffic Selector payloads TSi / TSr (RFC 7296 3.13), IPv4 ranges only.
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Number of TSs |                 RESERVED                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       <Traffic Selectors>                     ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Traffic selector (3.13.1):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   TS Type     |IP Protocol ID*|       Selector Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Start Port*         |           End Port*           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                         Starting Address*                     ~
// ~                         Ending Address*                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Known deviation: IPv6 selectors (type 8) are skipped on decode (kept out of the list),
// since the lab is IPv4-only; a TS payload with only IPv6 selectors decodes as empty.

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/ip.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"

namespace vpnlab::ike {

struct TrafficSelector {
  std::uint8_t ip_protocol = 0;  // 0 = any
  std::uint16_t start_port = 0, end_port = 65535;
  Ipv4Address start{0}, end{0xffffffff};

  static TrafficSelector any() { return TrafficSelector{}; }
  static TrafficSelector from_prefix(const Ipv4Prefix& p);
  /// strongSwan's spelling: "10.2.0.0/16", "10.0.0.1..10.0.0.9", with "[proto/port]" when
  /// narrower than any.
  std::string to_string() const;
  bool operator==(const TrafficSelector&) const = default;
};

struct TsPayload {
  std::vector<TrafficSelector> selectors;
  bool operator==(const TsPayload&) const = default;
};

Result<TsPayload, ParseError> decode_ts(ByteReader& body);
void encode_ts(const TsPayload& ts, ByteWriter& w);

}  // namespace vpnlab::ike
