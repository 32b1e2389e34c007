#pragma once
// Nonce payload Ni / Nr (RFC 7296 3.9): 16 to 256 octets of random data.
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                            Nonce Data                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"

namespace vpnlab::ike {

struct NoncePayload {
  static constexpr std::size_t kMin = 16, kMax = 256;
  Bytes data;
  bool operator==(const NoncePayload&) const = default;
};

Result<NoncePayload, ParseError> decode_nonce(ByteReader& body);
void encode_nonce(const NoncePayload& n, ByteWriter& w);

}  // namespace vpnlab::ike
