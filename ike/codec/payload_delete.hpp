#pragma once
// Delete payload (RFC 7296 3.11). For the IKE SA: Protocol ID 1, SPI Size 0, no SPIs.
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Protocol ID   |   SPI Size    |          Num of SPIs          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~               Security Parameter Index(es) (SPI)              ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include <cstdint>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

struct DeletePayload {
  ProtocolId protocol = ProtocolId::esp;
  std::vector<std::uint32_t> spis;  // ESP/AH SPIs (4 octets each); empty for IKE
  bool operator==(const DeletePayload&) const = default;
};

Result<DeletePayload, ParseError> decode_delete(ByteReader& body);
void encode_delete(const DeletePayload& d, ByteWriter& w);

}  // namespace vpnlab::ike
