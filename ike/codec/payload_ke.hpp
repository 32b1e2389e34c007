#pragma once
// Key Exchange payload (RFC 7296 3.4).
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   Diffie-Hellman Group Num    |           RESERVED            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Key Exchange Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"

namespace vpnlab::ike {

struct KePayload {
  std::uint16_t dh_group = 0;  // IANA Transform Type 4 ID
  Bytes data;                  // g^x, encoded per the group (3.4, RFC 5903 7, RFC 8031)
  bool operator==(const KePayload&) const = default;
};

Result<KePayload, ParseError> decode_ke(ByteReader& body);
void encode_ke(const KePayload& ke, ByteWriter& w);

}  // namespace vpnlab::ike
