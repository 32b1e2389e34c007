// ESP SAs: packet layout around the transforms. Outbound follows RFC 4303 3.3 (sequence
// number, padding, encrypt, ICV); inbound RFC 4303 3.4 (replay check, ICV, decrypt,
// replay update, trailer). Stage map of InboundSa::decap:
//   bounds -> SPI -> length/alignment -> replay check -> open -> replay update
//   -> pad length + pad bytes -> next header -> inner IP length (TFC trim) -> account
#include "esp/sa.hpp"

#include <algorithm>

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

std::uint32_t lane_count(const SaParams& p) {
  return p.lanes == 0 ? 1 : (p.lanes > kMaxLanes ? kMaxLanes : p.lanes);
}

bool any_limit(const Lifetime& l) {
  return l.soft_bytes != 0 || l.hard_bytes != 0 || l.soft_packets != 0 || l.hard_packets != 0;
}

}  // namespace

// One cipher context per lane, all with the same keys.
Result<SaBase::Transforms> SaBase::build_transforms(const SaParams& p, bool encrypt) {
  // RFC 4303 2.1: SPIs 1-255 are reserved by IANA, 0 for local use.
  if (p.spi.value < 256) return Unexpected{make_error_code(errc::reserved_spi)};
  Transforms out;
  for (std::uint32_t i = 0; i < lane_count(p); ++i) {
    auto t = make_transform(TransformKeys{p.suite, p.keys, p.esn, encrypt, p.backend});
    if (!t) return Unexpected{t.error()};
    out.push_back(std::move(*t));
  }
  return out;
}

SaBase::SaBase(const SaParams& p, Transforms t)
    : spi_(p.spi),
      suite_(p.suite),
      esn_(p.esn),
      mode_(p.mode),
      lifetime_(p.lifetime),
      overhead_(esp::overhead(p.suite)),
      transforms_(std::move(t)),
      counters_(new SaCounters[transforms_.size()]) {}

SaBase::~SaBase() = default;

DropReason SaBase::drop(DropReason r, std::size_t lane) {
  SaCounters& c = counters_[lane];
  c.drops[static_cast<std::size_t>(r)].add();
  if (r == DropReason::auth_failed) c.auth_failures.add();
  if (r == DropReason::replay) c.replay_drops.add();
  if (is_malformed(r)) c.malformed.add();
  return r;
}

LifetimeEvent SaBase::account(std::size_t inner_bytes, std::size_t lane) {
  counters_[lane].packets.add();
  counters_[lane].bytes.add(inner_bytes);
  if (!any_limit(lifetime_)) return LifetimeEvent::none;
  std::uint64_t packets = 0, bytes = 0;
  for (std::size_t i = 0; i < lanes(); ++i) {
    packets += counters_[i].packets.get();
    bytes += counters_[i].bytes.get();
  }
  // exchange(): with several lanes, exactly one of them reports each crossing.
  if (!hard_reported_.load(std::memory_order_relaxed) &&
      (crossed(lifetime_.hard_bytes, bytes) || crossed(lifetime_.hard_packets, packets))) {
    soft_reported_.store(true);
    return hard_reported_.exchange(true) ? LifetimeEvent::none : LifetimeEvent::hard_expired;
  }
  if (!soft_reported_.load(std::memory_order_relaxed) &&
      (crossed(lifetime_.soft_bytes, bytes) || crossed(lifetime_.soft_packets, packets))) {
    return soft_reported_.exchange(true) ? LifetimeEvent::none : LifetimeEvent::soft_expired;
  }
  return LifetimeEvent::none;
}

SaStats SaBase::stats() const {
  SaStats s;
  for (std::size_t l = 0; l < lanes(); ++l) {
    const SaCounters& c = counters_[l];
    s.packets += c.packets.get();
    s.bytes += c.bytes.get();
    s.auth_failures += c.auth_failures.get();
    s.replay_drops += c.replay_drops.get();
    s.malformed += c.malformed.get();
    for (std::size_t i = 0; i < kDropReasonCount; ++i) s.drops[i] += c.drops[i].get();
  }
  return s;
}

// ---- outbound -------------------------------------------------------------------------

OutboundSa::OutboundSa(const SaParams& p, Transforms t, std::vector<std::unique_ptr<IvSource>> iv)
    : SaBase(p, std::move(t)), iv_(std::move(iv)) {}

Result<std::unique_ptr<OutboundSa>> OutboundSa::create(const SaParams& params,
                                                       std::unique_ptr<IvSource> iv) {
  auto t = build_transforms(params, true);
  if (!t) return Unexpected{t.error()};
  std::vector<std::unique_ptr<IvSource>> ivs;
  if (iv) ivs.push_back(std::move(iv));
  while (ivs.size() < t->size()) {
    ivs.push_back(params.suite.encr == EncrAlgorithm::aes_cbc ? make_random_iv_source()
                                                              : make_sequence_iv_source());
    if (!ivs.back()) return Unexpected{make_error_code(errc::crypto_init_failed)};
  }
  return std::unique_ptr<OutboundSa>(new OutboundSa(params, std::move(*t), std::move(ivs)));
}

// RFC 4303 3.3.3: the counter must not cycle; without ESN the last number is 2^32-1, with
// ESN 2^64-1 (after which next_seq_ reads 0).
bool OutboundSa::usable(std::uint64_t seq) const {
  return seq != 0 && (esn_ || seq <= 0xffffffffu);
}

OutboundSa::SeqBlock OutboundSa::reserve(std::uint32_t n) {
  std::uint64_t cur = next_seq_.load(std::memory_order_relaxed);
  std::uint64_t end = 0;
  do {
    if (cur == 0 || n == 0) return {};
    end = cur + n;
    if (end < cur) end = 0;  // past 2^64-1: the rest of the space, then exhausted
  } while (!next_seq_.compare_exchange_weak(cur, end, std::memory_order_relaxed));
  return SeqBlock{cur, end == 0 ? static_cast<std::uint32_t>(0 - cur) : n};
}

// Headroom and tailroom for the packet; the pad length when they suffice.
Result<std::size_t, DropReason> OutboundSa::check_room(MutableByteSpan buf, std::size_t offset,
                                                       std::size_t length) {
  const Overhead& o = overhead_;
  if (offset < o.headroom || offset > buf.size() || length > buf.size() - offset ||
      length > kMaxPacketSize) {
    return Unexpected{DropReason::no_room};
  }
  const std::size_t pad = padding_for(o, length);
  if (buf.size() - offset - length < pad + 2 + o.icv_size) return Unexpected{DropReason::no_room};
  return pad;
}

EncapResult OutboundSa::encap(MutableByteSpan buf, std::size_t offset, std::size_t length,
                              std::uint8_t next_header) {
  if (expired()) return Unexpected{drop(DropReason::lifetime_expired)};
  auto pad = check_room(buf, offset, length);
  if (!pad) return Unexpected{drop(pad.error())};
  // A packet that cannot be sent consumes no number.
  if (!usable(next_seq_.load(std::memory_order_relaxed))) {
    return Unexpected{drop(DropReason::seq_exhausted)};
  }
  const SeqBlock b = reserve(1);
  if (b.count == 0) return Unexpected{drop(DropReason::seq_exhausted)};
  return seal_at(0, b.first, buf, offset, length, *pad, next_header);
}

EncapResult OutboundSa::encap_at(std::size_t lane, SequenceNumber seq, MutableByteSpan buf,
                                 std::size_t offset, std::size_t length, std::uint8_t next_header) {
  if (expired()) return Unexpected{drop(DropReason::lifetime_expired, lane)};
  auto pad = check_room(buf, offset, length);
  if (!pad) return Unexpected{drop(pad.error(), lane)};
  if (!usable(seq.value)) return Unexpected{drop(DropReason::seq_exhausted, lane)};
  return seal_at(lane, seq.value, buf, offset, length, *pad, next_header);
}

EncapResult OutboundSa::seal_at(std::size_t lane, std::uint64_t seq, MutableByteSpan buf,
                                std::size_t offset, std::size_t length, std::size_t pad,
                                std::uint8_t next_header) {
  CryptoJob c = prepare(lane, seq, buf, offset, length, pad, next_header);
  c.ok = transform(lane).seal(c.esp, c.body, c.seq_high);
  if (!c.ok) return Unexpected{drop(DropReason::crypto_error, lane)};
  return sealed(lane, seq, offset, c, length);
}

CryptoJob OutboundSa::prepare(std::size_t lane, std::uint64_t seq, MutableByteSpan buf,
                              std::size_t offset, std::size_t length, std::size_t pad,
                              std::uint8_t next_header) {
  const Overhead& o = overhead_;
  std::uint8_t* esp = buf.data() + offset - o.headroom;
  store_be32(esp, spi_.value);
  store_be32(esp + 4, static_cast<std::uint32_t>(seq));  // low 32 bits only (2.2.1)
  iv_[lane]->next_iv(SequenceNumber{seq}, MutableByteSpan(esp + kEspHeaderSize, o.iv_size));
  std::uint8_t* trailer = buf.data() + offset + length;
  // RFC 4303 2.4: pad bytes are 1, 2, 3, ...; then Pad Length and Next Header.
  for (std::size_t i = 0; i < pad; ++i) trailer[i] = static_cast<std::uint8_t>(i + 1);
  trailer[pad] = static_cast<std::uint8_t>(pad);
  trailer[pad + 1] = next_header;
  return CryptoJob{esp, length + pad + 2, static_cast<std::uint32_t>(seq >> 32), false};
}

EncapOk OutboundSa::sealed(std::size_t lane, std::uint64_t seq, std::size_t offset,
                           const CryptoJob& c, std::size_t length) {
  const Overhead& o = overhead_;
  EncapOk ok;
  ok.esp = PacketRegion{offset - o.headroom, o.headroom + c.body + o.icv_size};
  ok.seq = SequenceNumber{seq};
  ok.event = account(length, lane);
  return ok;
}

void OutboundSa::encap_batch(std::size_t lane, SeqBlock seqs, std::span<Job> jobs) {
  constexpr std::size_t kChunk = 64;
  CryptoJob crypto[kChunk];
  std::size_t index[kChunk];
  for (std::size_t at = 0; at < jobs.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, jobs.size() - at);
    std::size_t ready = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      Job& j = jobs[i];
      j.ok = false;
      const std::uint64_t seq = i < seqs.count ? seqs.first + i : 0;
      auto pad = check_room(j.buf, j.offset, j.length);
      if (expired()) {
        j.reason = drop(DropReason::lifetime_expired, lane);
      } else if (!pad) {
        j.reason = drop(pad.error(), lane);
      } else if (!usable(seq)) {
        j.reason = drop(DropReason::seq_exhausted, lane);
      } else {
        crypto[ready] = prepare(lane, seq, j.buf, j.offset, j.length, *pad, j.next_header);
        index[ready++] = i;
      }
    }
    transform(lane).seal_batch(std::span<CryptoJob>(crypto, ready));
    for (std::size_t k = 0; k < ready; ++k) {
      Job& j = jobs[index[k]];
      if (!crypto[k].ok) {
        j.reason = drop(DropReason::crypto_error, lane);
        continue;
      }
      // An earlier packet of this batch crossed the hard limit: as if one at a time.
      if (expired()) {
        j.reason = drop(DropReason::lifetime_expired, lane);
        continue;
      }
      j.ok = true;
      j.out = sealed(lane, seqs.first + index[k], j.offset, crypto[k], j.length);
    }
  }
}

}  // namespace vpnlab::esp
