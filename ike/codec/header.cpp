#include "ike/codec/header.hpp"

namespace vpnlab::ike {

Result<Header, ParseError> decode_header(ByteSpan datagram) {
  ByteReader r(datagram);
  if (datagram.size() < Header::kSize) return Unexpected{truncated_error("IKE header", 0)};
  Header h;
  h.spi_i.value = *r.u64();
  h.spi_r.value = *r.u64();
  h.next_payload = static_cast<PayloadType>(*r.u8());
  h.version = *r.u8();
  h.exchange = static_cast<ExchangeType>(*r.u8());
  h.flags = *r.u8();
  h.message_id.value = *r.u32();
  h.length = *r.u32();
  // RFC 7296 2.5: a major version we do not speak gets INVALID_MAJOR_VERSION.
  if ((h.version >> 4) != 2) {
    ParseError e = syntax_error("IKE header MjVer", 17, "major version is not 2");
    e.code = errc::invalid_major_version;
    e.notify = NotifyType::invalid_major_version;
    return Unexpected{e};
  }
  // RFC 7296 3.1: Length is the total message length including the header.
  if (h.length != datagram.size()) {
    return Unexpected{syntax_error("IKE header Length", 24,
                                   "says " + std::to_string(h.length) + " but datagram has " +
                                       std::to_string(datagram.size()) + " bytes")};
  }
  return h;
}

void encode_header(const Header& h, ByteWriter& w) {
  w.u64(h.spi_i.value);
  w.u64(h.spi_r.value);
  w.u8(static_cast<std::uint8_t>(h.next_payload));
  w.u8(h.version);
  w.u8(static_cast<std::uint8_t>(h.exchange));
  w.u8(h.flags);
  w.u32(h.message_id.value);
  w.u32(h.length);
}

}  // namespace vpnlab::ike
