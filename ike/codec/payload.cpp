#include "ike/codec/payload.hpp"

namespace vpnlab::ike {
namespace {

constexpr std::uint8_t kCriticalBit = 0x80;
constexpr std::size_t kGenericHeaderSize = 4;

template <typename T, typename F>
Result<PayloadBody, ParseError> wrap(ByteReader& body, F decode) {
  auto r = decode(body);
  if (!r) return Unexpected{r.error()};
  return PayloadBody(std::move(*r));
}

}  // namespace

Result<PayloadBody, ParseError> decode_body(PayloadType type, ByteReader& body) {
  switch (type) {
    case PayloadType::sa:
      return wrap<SaPayload>(body, decode_sa);
    case PayloadType::ke:
      return wrap<KePayload>(body, decode_ke);
    case PayloadType::id_i:
    case PayloadType::id_r:
      return wrap<IdPayload>(body, decode_id);
    case PayloadType::auth:
      return wrap<AuthPayload>(body, decode_auth);
    case PayloadType::nonce:
      return wrap<NoncePayload>(body, decode_nonce);
    case PayloadType::notify:
      return wrap<NotifyPayload>(body, decode_notify);
    case PayloadType::delete_:
      return wrap<DeletePayload>(body, decode_delete);
    case PayloadType::ts_i:
    case PayloadType::ts_r:
      return wrap<TsPayload>(body, decode_ts);
    case PayloadType::vendor_id:
      return wrap<VendorIdPayload>(body, decode_vendor_id);
    default:
      break;
  }
  UnknownPayload u;
  u.data.assign(body.rest().begin(), body.rest().end());
  return PayloadBody(std::move(u));
}

Result<PayloadChain, ParseError> decode_payloads(ByteReader& r, PayloadType first) {
  PayloadChain chain;
  PayloadType type = first;
  while (type != PayloadType::none) {
    std::size_t at = r.offset();
    auto next = r.u8();
    auto flags = r.u8();
    auto length = r.u16();
    if (!next || !flags || !length) return Unexpected{truncated_error("payload header", at)};
    if (*length < kGenericHeaderSize) {
      return Unexpected{syntax_error("Payload Length", at + 2, "below 4")};
    }
    auto body = r.sub(*length - kGenericHeaderSize);
    if (!body) {
      return Unexpected{syntax_error("Payload Length", at + 2,
                                     std::string(to_string(type)) + " payload runs past the end")};
    }
    bool critical = *flags & kCriticalBit;
    if (type == PayloadType::sk || type == PayloadType::skf) {
      // RFC 7296 3.14: SK is the last payload; its Next Payload names the first inner one.
      if (!r.empty()) return Unexpected{syntax_error("SK", r.offset(), "data after SK payload")};
      chain.encrypted = EncryptedPayload{type, static_cast<PayloadType>(*next), at,
                                         at + kGenericHeaderSize, body->remaining()};
      return chain;
    }
    if (!is_known_payload(type) && critical) {
      // RFC 7296 2.5: reject the message, naming the type in the notification data.
      ParseError e = syntax_error(
          "Next Payload", at,
          "unsupported critical payload type " + std::to_string(static_cast<int>(type)));
      e.code = errc::unsupported_critical;
      e.notify = NotifyType::unsupported_critical_payload;
      e.notify_data = Bytes{static_cast<std::uint8_t>(type)};
      return Unexpected{e};
    }
    auto decoded = decode_body(type, *body);
    if (!decoded) return Unexpected{decoded.error()};
    chain.payloads.push_back(Payload{type, critical, std::move(*decoded)});
    type = static_cast<PayloadType>(*next);
  }
  if (!r.empty()) return Unexpected{syntax_error("payload chain", r.offset(), "trailing data")};
  return chain;
}

void encode_body(const PayloadBody& body, ByteWriter& w) {
  std::visit(
      [&w](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, SaPayload>)
          encode_sa(p, w);
        else if constexpr (std::is_same_v<T, KePayload>)
          encode_ke(p, w);
        else if constexpr (std::is_same_v<T, IdPayload>)
          encode_id(p, w);
        else if constexpr (std::is_same_v<T, AuthPayload>)
          encode_auth(p, w);
        else if constexpr (std::is_same_v<T, NoncePayload>)
          encode_nonce(p, w);
        else if constexpr (std::is_same_v<T, NotifyPayload>)
          encode_notify(p, w);
        else if constexpr (std::is_same_v<T, DeletePayload>)
          encode_delete(p, w);
        else if constexpr (std::is_same_v<T, TsPayload>)
          encode_ts(p, w);
        else if constexpr (std::is_same_v<T, VendorIdPayload>)
          encode_vendor_id(p, w);
        else
          w.bytes(p.data);
      },
      body);
}

void encode_payloads(const std::vector<Payload>& payloads, ByteWriter& w, PayloadType next_after) {
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    std::size_t start = w.size();
    PayloadType next = i + 1 < payloads.size() ? payloads[i + 1].type : next_after;
    w.u8(static_cast<std::uint8_t>(next));
    w.u8(payloads[i].critical ? kCriticalBit : 0);
    w.u16(0);
    encode_body(payloads[i].body, w);
    w.patch_u16(start + 2, static_cast<std::uint16_t>(w.size() - start));
  }
}

}  // namespace vpnlab::ike
