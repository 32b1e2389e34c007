#pragma once
// Notify payload (RFC 7296 3.10).
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Protocol ID  |   SPI Size    |      Notify Message Type      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                Security Parameter Index (SPI)                 ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                       Notification Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

struct NotifyPayload {
  ProtocolId protocol = ProtocolId::none;
  Bytes spi;  // 0 octets, or 4 for ESP (REKEY_SA)
  NotifyType type = NotifyType::none;
  Bytes data;

  static NotifyPayload make(NotifyType type, Bytes data = {});
  bool operator==(const NotifyPayload&) const = default;
};

Result<NotifyPayload, ParseError> decode_notify(ByteReader& body);
void encode_notify(const NotifyPayload& n, ByteWriter& w);

}  // namespace vpnlab::ike
