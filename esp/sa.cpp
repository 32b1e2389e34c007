// ESP SAs: packet layout around the transforms. Outbound follows RFC 4303 3.3 (sequence
// number, padding, encrypt, ICV); inbound RFC 4303 3.4 (replay check, ICV, decrypt,
// replay update, trailer). Stage map of InboundSa::decap:
//   bounds -> SPI -> length/alignment -> replay check -> open -> replay update
//   -> pad length + pad bytes -> next header -> inner IP length (TFC trim) -> account
#include "esp/sa.hpp"

#include "esp/errors.hpp"
#include "esp/transform.hpp"

namespace vpnlab::esp {

namespace {

bool is_malformed(DropReason r) {
  switch (r) {
    case DropReason::too_short:
    case DropReason::spi_mismatch:
    case DropReason::bad_length:
    case DropReason::bad_padding:
    case DropReason::bad_next_header:
    case DropReason::bad_inner_packet:
      return true;
    default:
      return false;
  }
}

bool crossed(std::uint64_t limit, std::uint64_t value) {
  return limit != 0 && value >= limit;
}

Result<std::unique_ptr<Transform>> validate_and_build(const SaParams& p, bool encrypt) {
  // RFC 4303 2.1: SPIs 1-255 are reserved by IANA, 0 for local use.
  if (p.spi.value < 256) return Unexpected{make_error_code(errc::reserved_spi)};
  return make_transform(TransformKeys{p.suite, p.keys, p.esn, encrypt});
}

}  // namespace

SaBase::SaBase(const SaParams& p, std::unique_ptr<Transform> t)
    : spi_(p.spi),
      suite_(p.suite),
      esn_(p.esn),
      mode_(p.mode),
      lifetime_(p.lifetime),
      overhead_(esp::overhead(p.suite)),
      transform_(std::move(t)) {}

SaBase::~SaBase() = default;

DropReason SaBase::drop(DropReason r) {
  counters_.drops[static_cast<std::size_t>(r)].add();
  if (r == DropReason::auth_failed) counters_.auth_failures.add();
  if (r == DropReason::replay) counters_.replay_drops.add();
  if (is_malformed(r)) counters_.malformed.add();
  return r;
}

LifetimeEvent SaBase::account(std::size_t inner_bytes) {
  counters_.packets.add();
  counters_.bytes.add(inner_bytes);
  // Only this thread writes the counters, so these reads see its own totals.
  const std::uint64_t packets = counters_.packets.get(), bytes = counters_.bytes.get();
  if (!hard_reported_ &&
      (crossed(lifetime_.hard_bytes, bytes) || crossed(lifetime_.hard_packets, packets))) {
    hard_reported_ = soft_reported_ = true;
    return LifetimeEvent::hard_expired;
  }
  if (!soft_reported_ &&
      (crossed(lifetime_.soft_bytes, bytes) || crossed(lifetime_.soft_packets, packets))) {
    soft_reported_ = true;
    return LifetimeEvent::soft_expired;
  }
  return LifetimeEvent::none;
}

SaStats SaBase::stats() const {
  SaStats s;
  s.packets = counters_.packets.get();
  s.bytes = counters_.bytes.get();
  s.auth_failures = counters_.auth_failures.get();
  s.replay_drops = counters_.replay_drops.get();
  s.malformed = counters_.malformed.get();
  for (std::size_t i = 0; i < kDropReasonCount; ++i) s.drops[i] = counters_.drops[i].get();
  return s;
}

// ---- outbound -------------------------------------------------------------------------

OutboundSa::OutboundSa(const SaParams& p, std::unique_ptr<Transform> t,
                       std::unique_ptr<IvSource> iv)
    : SaBase(p, std::move(t)), iv_(std::move(iv)) {}

Result<std::unique_ptr<OutboundSa>> OutboundSa::create(const SaParams& params,
                                                       std::unique_ptr<IvSource> iv) {
  auto t = validate_and_build(params, true);
  if (!t) return Unexpected{t.error()};
  if (!iv) {
    iv = params.suite.encr == EncrAlgorithm::aes_cbc ? make_random_iv_source()
                                                     : make_sequence_iv_source();
    if (!iv) return Unexpected{make_error_code(errc::crypto_init_failed)};
  }
  return std::unique_ptr<OutboundSa>(new OutboundSa(params, std::move(*t), std::move(iv)));
}

EncapResult OutboundSa::encap(MutableByteSpan buf, std::size_t offset, std::size_t length,
                              std::uint8_t next_header) {
  if (expired()) return Unexpected{drop(DropReason::lifetime_expired)};
  const Overhead& o = overhead_;
  if (offset < o.headroom || offset > buf.size() || length > buf.size() - offset ||
      length > kMaxPacketSize) {
    return Unexpected{drop(DropReason::no_room)};
  }
  const std::size_t pad = padding_for(o, length);
  if (buf.size() - offset - length < pad + 2 + o.icv_size) {
    return Unexpected{drop(DropReason::no_room)};
  }
  // RFC 4303 3.3.3: the counter must not cycle; without ESN the last number is 2^32-1,
  // with ESN 2^64-1 (next_seq_ wrapped to 0).
  const std::uint64_t seq = next_seq_;
  if ((!esn_ && seq > 0xffffffffu) || seq == 0) return Unexpected{drop(DropReason::seq_exhausted)};

  std::uint8_t* esp = buf.data() + offset - o.headroom;
  store_be32(esp, spi_.value);
  store_be32(esp + 4, static_cast<std::uint32_t>(seq));  // low 32 bits only (2.2.1)
  iv_->next_iv(SequenceNumber{seq}, MutableByteSpan(esp + kEspHeaderSize, o.iv_size));
  std::uint8_t* trailer = buf.data() + offset + length;
  // RFC 4303 2.4: pad bytes are 1, 2, 3, ...; then Pad Length and Next Header.
  for (std::size_t i = 0; i < pad; ++i) trailer[i] = static_cast<std::uint8_t>(i + 1);
  trailer[pad] = static_cast<std::uint8_t>(pad);
  trailer[pad + 1] = next_header;
  const std::size_t body = length + pad + 2;
  if (!transform_->seal(esp, body, static_cast<std::uint32_t>(seq >> 32))) {
    return Unexpected{drop(DropReason::crypto_error)};
  }
  next_seq_ = seq + 1;
  EncapOk ok;
  ok.esp = PacketRegion{offset - o.headroom, o.headroom + body + o.icv_size};
  ok.seq = SequenceNumber{seq};
  ok.event = account(length);
  return ok;
}

}  // namespace vpnlab::esp
