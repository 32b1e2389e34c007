#include "ike/codec/payload_notify.hpp"

namespace vpnlab::ike {

NotifyPayload NotifyPayload::make(NotifyType type, Bytes data) {
  NotifyPayload n;
  n.type = type;
  n.data = std::move(data);
  return n;
}

Result<NotifyPayload, ParseError> decode_notify(ByteReader& body) {
  std::size_t at = body.offset();
  auto protocol = body.u8();
  auto spi_size = body.u8();
  auto type = body.u16();
  if (!protocol || !spi_size || !type) return Unexpected{truncated_error("Notify header", at)};
  NotifyPayload n;
  n.protocol = static_cast<ProtocolId>(*protocol);
  n.type = static_cast<NotifyType>(*type);
  auto spi = body.bytes(*spi_size);
  if (!spi) return Unexpected{truncated_error("Notify SPI", at + 4)};
  n.spi.assign(spi->begin(), spi->end());
  n.data.assign(body.rest().begin(), body.rest().end());
  return n;
}

void encode_notify(const NotifyPayload& n, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(n.protocol));
  w.u8(static_cast<std::uint8_t>(n.spi.size()));
  w.u16(static_cast<std::uint16_t>(n.type));
  w.bytes(n.spi);
  w.bytes(n.data);
}

}  // namespace vpnlab::ike
