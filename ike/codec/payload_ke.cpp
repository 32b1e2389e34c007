#include "ike/codec/payload_ke.hpp"

namespace vpnlab::ike {

Result<KePayload, ParseError> decode_ke(ByteReader& body) {
  std::size_t at = body.offset();
  auto group = body.u16();
  if (!group || !body.skip(2))
    return Unexpected{truncated_error("KE Diffie-Hellman Group Num", at)};
  if (body.empty()) return Unexpected{syntax_error("KE Key Exchange Data", at + 4, "empty")};
  KePayload ke;
  ke.dh_group = *group;
  ke.data.assign(body.rest().begin(), body.rest().end());
  return ke;
}

void encode_ke(const KePayload& ke, ByteWriter& w) {
  w.u16(ke.dh_group);
  w.u16(0);
  w.bytes(ke.data);
}

}  // namespace vpnlab::ike
