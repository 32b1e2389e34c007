#include "ike/codec/message.hpp"

#include "ike/codec/rules.hpp"

namespace vpnlab::ike {
namespace {

Result<std::vector<Payload>, ParseError> decode_inner(ByteSpan plaintext, std::size_t base,
                                                      PayloadType first) {
  ByteReader r(plaintext, base);
  auto chain = decode_payloads(r, first);
  if (!chain) return Unexpected{chain.error()};
  // RFC 7296 3.14: SK inside SK makes no sense.
  if (chain->encrypted) return Unexpected{syntax_error("SK", base, "nested SK payload")};
  return std::move(chain->payloads);
}

ParseError no_cipher(std::size_t at) {
  ParseError e = syntax_error("SK", at, "no IKE SA keys to open it");
  e.code = errc::internal;
  e.notify = NotifyType::none;
  return e;
}

}  // namespace

const NotifyPayload* Message::notify(NotifyType type) const {
  for (const Payload& p : payloads) {
    auto* n = std::get_if<NotifyPayload>(&p.body);
    if (n && n->type == type) return n;
  }
  return nullptr;
}

const NotifyPayload* Message::error_notify() const {
  for (const Payload& p : payloads) {
    auto* n = std::get_if<NotifyPayload>(&p.body);
    if (n && is_error(n->type)) return n;
  }
  return nullptr;
}

Result<Bytes, ParseError> encode_message(const Message& m, SkCipher* cipher) {
  if (m.encrypted) {
    if (!cipher) return Unexpected{no_cipher(Header::kSize)};
    return protect(m.header, m.payloads, *cipher);
  }
  Bytes out;
  ByteWriter w(out);
  Header h = m.header;
  h.next_payload = m.payloads.empty() ? PayloadType::none : m.payloads.front().type;
  encode_header(h, w);
  encode_payloads(m.payloads, w);
  w.patch_u32(24, static_cast<std::uint32_t>(out.size()));
  return out;
}

Result<std::optional<Message>, ParseError> decode_message(ByteSpan datagram, SkCipher* cipher,
                                                          FragmentReassembler* reassembler) {
  auto header = decode_header(datagram);
  if (!header) return Unexpected{header.error()};
  Message m;
  m.header = *header;
  ByteReader r(datagram.subspan(Header::kSize), Header::kSize);
  auto chain = decode_payloads(r, header->next_payload);
  if (!chain) return Unexpected{chain.error()};
  m.payloads = std::move(chain->payloads);
  if (chain->encrypted) {
    const EncryptedPayload& sk = *chain->encrypted;
    // RFC 7296 3.14: when SK is present it is the only payload.
    if (!m.payloads.empty()) return Unexpected{syntax_error("SK", sk.header_at, "not alone")};
    if (!cipher) return Unexpected{no_cipher(sk.header_at)};
    Bytes copy(datagram.begin(), datagram.end());
    Bytes plaintext;
    PayloadType first = sk.inner_first;
    if (sk.type == PayloadType::sk) {
      auto opened = open_sk(copy, sk, *cipher);
      if (!opened) return Unexpected{opened.error()};
      plaintext = std::move(*opened);
    } else {
      if (!reassembler) return Unexpected{syntax_error("SKF", sk.header_at, "not expected")};
      auto frag = open_skf(copy, sk, *cipher);
      if (!frag) return Unexpected{frag.error()};
      auto done = reassembler->add(header->message_id, std::move(*frag));
      if (!done) return Unexpected{done.error()};
      if (!*done) return std::optional<Message>{};
      first = (*done)->inner_first;
      plaintext = std::move((*done)->plaintext);
    }
    auto inner = decode_inner(plaintext, sk.body_at, first);
    if (!inner) return Unexpected{inner.error()};
    m.payloads = std::move(*inner);
    m.encrypted = true;
  }
  if (auto ok = check_rules(m); !ok) return Unexpected{ok.error()};
  return std::optional<Message>(std::move(m));
}

}  // namespace vpnlab::ike
