#include "ike/codec/payload_auth.hpp"

namespace vpnlab::ike {

Result<AuthPayload, ParseError> decode_auth(ByteReader& body) {
  std::size_t at = body.offset();
  auto method = body.u8();
  if (!method || !body.skip(3)) return Unexpected{truncated_error("AUTH Auth Method", at)};
  if (body.empty()) return Unexpected{syntax_error("AUTH Authentication Data", at + 4, "empty")};
  AuthPayload a;
  a.method = static_cast<AuthMethod>(*method);
  a.data.assign(body.rest().begin(), body.rest().end());
  return a;
}

void encode_auth(const AuthPayload& auth, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(auth.method));
  w.u8(0);
  w.u16(0);
  w.bytes(auth.data);
}

}  // namespace vpnlab::ike
