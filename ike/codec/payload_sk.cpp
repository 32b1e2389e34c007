#include "ike/codec/payload_sk.hpp"

#include <algorithm>

namespace vpnlab::ike {
namespace {

constexpr std::size_t kGenericHeaderSize = 4;
constexpr std::size_t kSkfNumbersSize = 4;

/// Appends IV space, plaintext, padding, pad length and ICV space (3.14); returns iv_at.
std::size_t append_encrypted(Bytes& out, ByteSpan plaintext, const SkCipher& c) {
  std::size_t iv_at = out.size();
  ByteWriter w(out);
  w.zeros(c.iv_size());
  w.bytes(plaintext);
  std::size_t block = std::max<std::size_t>(c.block_size(), 1);
  std::size_t pad = (block - (plaintext.size() + 1) % block) % block;
  w.zeros(pad);
  w.u8(static_cast<std::uint8_t>(pad));
  w.zeros(c.icv_size());
  return iv_at;
}

Result<Bytes, ParseError> seal_message(Bytes& msg, std::size_t payload_at, std::size_t iv_at,
                                       SkCipher& c) {
  ByteWriter w(msg);
  w.patch_u16(payload_at + 2, static_cast<std::uint16_t>(msg.size() - payload_at));
  w.patch_u32(24, static_cast<std::uint32_t>(msg.size()));
  if (!c.seal(msg, iv_at)) {
    ParseError e = syntax_error("SK", payload_at, "cipher failed");
    e.code = errc::internal;
    e.notify = NotifyType::none;
    return Unexpected{e};
  }
  return std::move(msg);
}

/// Checks the layout, opens in place, strips padding; returns the inner plaintext.
Result<Bytes, ParseError> open_at(MutableByteSpan dgram, std::size_t iv_at, std::size_t end,
                                  SkCipher& c) {
  // RFC 7296 2.21.2: nothing about a message is answered before its ICV is verified, so
  // layout errors found before that are dropped silently like an ICV mismatch (no notify).
  auto unauthenticated = [](ParseError e) {
    e.notify = NotifyType::none;
    return Unexpected{e};
  };
  std::size_t min = c.iv_size() + 1 + c.icv_size();
  std::size_t block = std::max<std::size_t>(c.block_size(), 1);
  if (end < iv_at + min) return unauthenticated(truncated_error("SK Initialization Vector", iv_at));
  std::size_t ct = end - iv_at - c.iv_size() - c.icv_size();
  if (ct % block != 0) {
    return unauthenticated(syntax_error("SK Encrypted IKE Payloads", iv_at + c.iv_size(),
                                        "length not a multiple of the block size"));
  }
  if (end != dgram.size()) return unauthenticated(syntax_error("SK", iv_at, "not at the end"));
  if (!c.open(dgram, iv_at)) {
    // RFC 7296 2.21.2: a message whose ICV fails is discarded without a response.
    ParseError e = syntax_error("SK Integrity Checksum Data", end - c.icv_size(), "ICV mismatch");
    e.code = errc::integrity_failed;
    e.notify = NotifyType::none;
    return Unexpected{e};
  }
  std::size_t ct_at = iv_at + c.iv_size();
  std::uint8_t pad = dgram[ct_at + ct - 1];
  if (std::size_t{pad} + 1 > ct) {
    return Unexpected{syntax_error("SK Pad Length", ct_at + ct - 1, "longer than the content")};
  }
  return Bytes(dgram.begin() + ct_at, dgram.begin() + ct_at + ct - 1 - pad);
}

}  // namespace

Result<Bytes, ParseError> protect(Header header, const std::vector<Payload>& payloads,
                                  SkCipher& cipher) {
  Bytes inner;
  ByteWriter iw(inner);
  encode_payloads(payloads, iw);
  Bytes msg;
  ByteWriter w(msg);
  header.next_payload = PayloadType::sk;
  encode_header(header, w);
  std::size_t payload_at = msg.size();
  w.u8(static_cast<std::uint8_t>(payloads.empty() ? PayloadType::none : payloads.front().type));
  w.u8(0);
  w.u16(0);
  std::size_t iv_at = append_encrypted(msg, inner, cipher);
  return seal_message(msg, payload_at, iv_at, cipher);
}

Result<std::vector<Bytes>, ParseError> protect_fragments(Header header,
                                                         const std::vector<Payload>& payloads,
                                                         SkCipher& cipher,
                                                         std::size_t max_datagram) {
  Bytes inner;
  ByteWriter iw(inner);
  encode_payloads(payloads, iw);
  std::size_t overhead = Header::kSize + kGenericHeaderSize + kSkfNumbersSize + cipher.iv_size() +
                         cipher.icv_size() + std::max<std::size_t>(cipher.block_size(), 1);
  if (max_datagram <= overhead + 1) {
    return Unexpected{syntax_error("SKF", 0, "fragment size too small for the overhead")};
  }
  std::size_t chunk = max_datagram - overhead;
  std::size_t total = std::max<std::size_t>(1, (inner.size() + chunk - 1) / chunk);
  if (total > FragmentReassembler::kMaxFragments) {
    return Unexpected{syntax_error("SKF Total Fragments", 0, "message needs too many fragments")};
  }
  std::vector<Bytes> out;
  header.next_payload = PayloadType::skf;
  for (std::size_t i = 0; i < total; ++i) {
    Bytes msg;
    ByteWriter w(msg);
    encode_header(header, w);
    std::size_t payload_at = msg.size();
    PayloadType first = payloads.empty() ? PayloadType::none : payloads.front().type;
    w.u8(static_cast<std::uint8_t>(i == 0 ? first : PayloadType::none));
    w.u8(0);
    w.u16(0);
    w.u16(static_cast<std::uint16_t>(i + 1));
    w.u16(static_cast<std::uint16_t>(total));
    std::size_t from = i * chunk;
    std::size_t n = std::min(chunk, inner.size() - std::min(from, inner.size()));
    std::size_t iv_at = append_encrypted(msg, ByteSpan(inner).subspan(from, n), cipher);
    auto sealed = seal_message(msg, payload_at, iv_at, cipher);
    if (!sealed) return Unexpected{sealed.error()};
    out.push_back(std::move(*sealed));
  }
  return out;
}

Result<Bytes, ParseError> open_sk(MutableByteSpan datagram, const EncryptedPayload& sk,
                                  SkCipher& cipher) {
  return open_at(datagram, sk.body_at, sk.body_at + sk.body_size, cipher);
}

Result<OpenedFragment, ParseError> open_skf(MutableByteSpan datagram, const EncryptedPayload& skf,
                                            SkCipher& cipher) {
  ByteReader r(ByteSpan(datagram).subspan(skf.body_at, skf.body_size), skf.body_at);
  auto number = r.u16();
  auto total = r.u16();
  if (!number || !total) return Unexpected{truncated_error("SKF Fragment Number", skf.body_at)};
  // RFC 7383 2.5: Fragment Number starts at 1 and never exceeds Total Fragments.
  if (*number == 0 || *number > *total || *total > FragmentReassembler::kMaxFragments) {
    return Unexpected{syntax_error("SKF Fragment Number", skf.body_at, "out of range")};
  }
  auto plain =
      open_at(datagram, skf.body_at + kSkfNumbersSize, skf.body_at + skf.body_size, cipher);
  if (!plain) return Unexpected{plain.error()};
  OpenedFragment f;
  f.number = *number;
  f.total = *total;
  f.inner_first = skf.inner_first;
  f.plaintext = std::move(*plain);
  return f;
}

Result<std::optional<FragmentReassembler::Complete>, ParseError> FragmentReassembler::add(
    MessageId id, OpenedFragment fragment) {
  // RFC 7383 2.6.1: fragments of another message ID (or another total) restart collection.
  if (fragments_.empty() || id != id_ || fragment.total != total_) {
    fragments_.clear();
    id_ = id;
    total_ = fragment.total;
  }
  fragments_[fragment.number] = std::move(fragment);
  if (fragments_.size() < total_) return std::optional<Complete>{};
  Complete done{fragments_.begin()->second.inner_first, {}};
  for (auto& [n, f] : fragments_) {
    done.plaintext.insert(done.plaintext.end(), f.plaintext.begin(), f.plaintext.end());
  }
  fragments_.clear();
  return std::optional<Complete>(std::move(done));
}

}  // namespace vpnlab::ike
