#include "ike/codec/payload_nonce.hpp"

namespace vpnlab::ike {

Result<NoncePayload, ParseError> decode_nonce(ByteReader& body) {
  // RFC 7296 3.9: "The size of the Nonce Data MUST be between 16 and 256 octets".
  if (body.remaining() < NoncePayload::kMin || body.remaining() > NoncePayload::kMax) {
    return Unexpected{syntax_error("Nonce Data", body.offset(),
                                   std::to_string(body.remaining()) + " octets, not 16..256")};
  }
  NoncePayload n;
  n.data.assign(body.rest().begin(), body.rest().end());
  return n;
}

void encode_nonce(const NoncePayload& n, ByteWriter& w) {
  w.bytes(n.data);
}

}  // namespace vpnlab::ike
