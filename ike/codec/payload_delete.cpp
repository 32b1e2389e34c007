#include "ike/codec/payload_delete.hpp"

namespace vpnlab::ike {

Result<DeletePayload, ParseError> decode_delete(ByteReader& body) {
  std::size_t at = body.offset();
  auto protocol = body.u8();
  auto spi_size = body.u8();
  auto count = body.u16();
  if (!protocol || !spi_size || !count) return Unexpected{truncated_error("Delete header", at)};
  DeletePayload d;
  d.protocol = static_cast<ProtocolId>(*protocol);
  // RFC 7296 3.11: SPI Size is zero for IKE, four for AH and ESP.
  if (d.protocol == ProtocolId::ike) {
    if (*spi_size != 0 || *count != 0) {
      return Unexpected{syntax_error("Delete SPI Size", at + 1, "IKE delete carries no SPI")};
    }
  } else if (d.protocol == ProtocolId::esp || d.protocol == ProtocolId::ah) {
    if (*spi_size != 4) return Unexpected{syntax_error("Delete SPI Size", at + 1, "must be 4")};
  } else {
    return Unexpected{syntax_error("Delete Protocol ID", at, "unknown protocol")};
  }
  for (std::uint16_t i = 0; i < *count; ++i) {
    auto spi = body.u32();
    if (!spi) return Unexpected{truncated_error("Delete SPI", body.offset())};
    d.spis.push_back(*spi);
  }
  if (!body.empty()) return Unexpected{syntax_error("Delete", body.offset(), "data after SPIs")};
  return d;
}

void encode_delete(const DeletePayload& d, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(d.protocol));
  w.u8(d.protocol == ProtocolId::ike ? 0 : 4);
  w.u16(static_cast<std::uint16_t>(d.spis.size()));
  for (std::uint32_t s : d.spis) w.u32(s);
}

}  // namespace vpnlab::ike
