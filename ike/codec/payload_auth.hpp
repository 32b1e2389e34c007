#pragma once
// Authentication payload (RFC 7296 3.8).
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Auth Method   |                RESERVED                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                      Authentication Data                      ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

struct AuthPayload {
  AuthMethod method = AuthMethod::shared_key_mic;
  Bytes data;  // a MAC, not a secret once sent
  bool operator==(const AuthPayload&) const = default;
};

Result<AuthPayload, ParseError> decode_auth(ByteReader& body);
void encode_auth(const AuthPayload& auth, ByteWriter& w);

}  // namespace vpnlab::ike
