#include "bgp/codec/message.hpp"

namespace vpnlab::bgp {

namespace {

Result<Message, DecodeError> decode_notification(ByteSpan body) {
  Notification n;
  n.code = body[0];
  n.subcode = body[1];
  n.data.assign(body.begin() + 2, body.end());
  return Message{std::move(n)};
}

Result<Message, DecodeError> decode_route_refresh(ByteSpan body) {
  ByteReader r(body, kHeaderSize);
  auto afi = *r.u16();
  r.skip(1);
  auto safi = *r.u8();
  return Message{RouteRefreshMessage{AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(safi)}}};
}

}  // namespace

Result<Message, DecodeError> decode_message(ByteSpan data, const CodecOptions& opts) {
  auto h = decode_header(data);
  if (!h) return Unexpected{h.error()};
  if (h->length != data.size())
    return Unexpected{header_error("header Length", 16,
                                   "value " + std::to_string(h->length) + " but " +
                                       std::to_string(data.size()) + " bytes framed",
                                   HeaderSubcode::bad_message_length, Bytes{data[16], data[17]})};
  ByteSpan body = data.subspan(kHeaderSize);
  switch (h->type) {
    case MessageType::open: {
      auto m = decode_open(body);
      if (!m) return Unexpected{m.error()};
      return Message{std::move(*m)};
    }
    case MessageType::update: {
      auto u = decode_update(body, opts);
      if (!u) return Unexpected{u.error()};
      return Message{std::move(*u)};
    }
    case MessageType::notification:
      return decode_notification(body);
    case MessageType::keepalive:
      return Message{KeepaliveMessage{}};
    case MessageType::route_refresh:
      return decode_route_refresh(body);
  }
  return Unexpected{
      header_error("header Type", 18, "unreachable", HeaderSubcode::bad_message_type)};
}

Bytes encode_notification(const Notification& n) {
  Bytes out;
  ByteWriter w(out);
  auto start = begin_message(w, MessageType::notification);
  w.u8(n.code);
  w.u8(n.subcode);
  w.bytes(n.data);
  finish_message(w, start);
  return out;
}

Bytes encode_keepalive() {
  Bytes out;
  ByteWriter w(out);
  finish_message(w, begin_message(w, MessageType::keepalive));
  return out;
}

Bytes encode_route_refresh(const RouteRefreshMessage& m) {
  Bytes out;
  ByteWriter w(out);
  auto start = begin_message(w, MessageType::route_refresh);
  w.u16(static_cast<std::uint16_t>(m.afi_safi.afi));
  w.u8(0);
  w.u8(static_cast<std::uint8_t>(m.afi_safi.safi));
  finish_message(w, start);
  return out;
}

}  // namespace vpnlab::bgp
