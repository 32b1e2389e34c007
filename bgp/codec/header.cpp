#include "bgp/codec/header.hpp"

namespace vpnlab::bgp {

namespace {
Bytes u16_bytes(std::uint16_t v) {
  return Bytes{static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// RFC 4271 §6.1 minimum lengths per type; KEEPALIVE (§4.4) and ROUTE-REFRESH (RFC 2918 §3)
// have an exact length.
bool length_ok(MessageType t, std::uint16_t len) {
  switch (t) {
    case MessageType::open:
      return len >= 29;
    case MessageType::update:
      return len >= 23;
    case MessageType::notification:
      return len >= 21;
    case MessageType::keepalive:
      return len == 19;
    case MessageType::route_refresh:
      return len == 23;
  }
  return false;
}
}  // namespace

Result<Header, DecodeError> decode_header(ByteSpan data) {
  ByteReader r(data);
  auto marker = r.bytes(16);
  if (!marker)
    return Unexpected{
        header_error("header Marker", 0, "truncated", HeaderSubcode::connection_not_synchronized)};
  for (auto b : *marker) {
    // RFC 4271 §6.1: a marker that is not all ones → Connection Not Synchronized.
    if (b != 0xff)
      return Unexpected{header_error("header Marker", 0, "not all ones",
                                     HeaderSubcode::connection_not_synchronized)};
  }
  auto len = r.u16();
  auto type = r.u8();
  if (!len || !type)
    return Unexpected{
        header_error("header Length", 16, "truncated", HeaderSubcode::bad_message_length)};
  // RFC 4271 §6.1: the Data field of Bad Message Length holds the erroneous Length field.
  if (*len < kHeaderSize || *len > kMaxMessageSize || *len > data.size())
    return Unexpected{header_error("header Length", 16,
                                   "value " + std::to_string(*len) + " outside 19..4096",
                                   HeaderSubcode::bad_message_length, u16_bytes(*len))};
  if (*type < 1 || *type > 5)
    return Unexpected{header_error("header Type", 18, "unknown type " + std::to_string(*type),
                                   HeaderSubcode::bad_message_type, Bytes{*type})};
  auto t = static_cast<MessageType>(*type);
  if (!length_ok(t, *len))
    return Unexpected{header_error("header Length", 16,
                                   "value " + std::to_string(*len) + " invalid for " + to_string(t),
                                   HeaderSubcode::bad_message_length, u16_bytes(*len))};
  return Header{*len, t};
}

std::optional<std::size_t> frame_length(ByteSpan data) {
  if (data.size() < kHeaderSize) return std::nullopt;
  return load_be16(data.data() + 16);
}

std::size_t begin_message(ByteWriter& w, MessageType type) {
  std::size_t start = w.size();
  for (int i = 0; i < 16; ++i) w.u8(0xff);
  w.u16(0);
  w.u8(static_cast<std::uint8_t>(type));
  return start;
}

void finish_message(ByteWriter& w, std::size_t start) {
  w.patch_u16(start + 16, static_cast<std::uint16_t>(w.size() - start));
}

}  // namespace vpnlab::bgp
