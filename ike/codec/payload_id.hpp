#pragma once
// Identification payloads IDi / IDr (RFC 7296 3.5).
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   ID Type     |                 RESERVED                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                   Identification Data                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The body as sent (type + 3 reserved octets + data) is what AUTH signs (2.15:
// RestOfInitIDPayload).

#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/ip.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

struct IdPayload {
  IdType type = IdType::ipv4_addr;
  Bytes data;

  static IdPayload ipv4(Ipv4Address a);
  static IdPayload fqdn(std::string_view name);
  std::optional<Ipv4Address> as_ipv4() const;
  /// "192.0.2.1", "vpn.example", or "type N (M bytes)" for others.
  std::string to_string() const;
  bool operator==(const IdPayload&) const = default;
};

/// Checks the data length against the type (IPv4: 4 octets; FQDN: non-empty).
Result<IdPayload, ParseError> decode_id(ByteReader& body);
void encode_id(const IdPayload& id, ByteWriter& w);

}  // namespace vpnlab::ike
