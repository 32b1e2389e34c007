// InboundSa::decap, RFC 4303 3.4 in order (stage map in sa.cpp).
#include "esp/errors.hpp"
#include "esp/sa.hpp"
#include "esp/transform.hpp"

namespace vpnlab::esp {

namespace {

// RFC 4303 2.7 / 3.4.4.1: in tunnel mode the inner IP header says how long the packet
// is; bytes after it are TFC padding and are cut off. Returns 0 when inconsistent.
std::size_t inner_ip_length(const std::uint8_t* p, std::size_t avail, std::uint8_t nh) {
  if (nh == kNextHeaderIpv4) {
    if (avail < 20 || (p[0] >> 4) != 4) return 0;
    const std::size_t total = load_be16(p + 2);  // RFC 791 Total Length
    return total >= 20 && total <= avail ? total : 0;
  }
  // IPv6 (RFC 8200 3): Payload Length excludes the 40-byte fixed header.
  if (avail < 40 || (p[0] >> 4) != 6) return 0;
  const std::size_t total = 40 + std::size_t{load_be16(p + 4)};
  return total <= avail ? total : 0;
}

}  // namespace

InboundSa::InboundSa(const SaParams& p, Transforms t)
    : SaBase(p, std::move(t)), window_(p.replay_window, p.esn) {}

Result<std::unique_ptr<InboundSa>> InboundSa::create(const SaParams& params) {
  if (params.replay_window > kMaxReplayWindow) {
    return Unexpected{make_error_code(errc::bad_replay_window)};
  }
  auto t = build_transforms(params, false);
  if (!t) return Unexpected{t.error()};
  return std::unique_ptr<InboundSa>(new InboundSa(params, std::move(*t)));
}

// The checks before the replay window: bounds, lifetime, SPI, length and alignment.
std::optional<DropReason> InboundSa::check_packet(MutableByteSpan buf, std::size_t offset,
                                                  std::size_t length) const {
  if (offset > buf.size() || length > buf.size() - offset) return DropReason::too_short;
  if (length > kMaxPacketSize) return DropReason::bad_length;
  if (expired()) return DropReason::lifetime_expired;
  const Overhead& o = overhead_;
  // Smallest packet: header, IV, one block holding at least Pad Length + Next Header, ICV.
  if (length < o.headroom + o.block_size + o.icv_size) return DropReason::too_short;
  if (load_be32(buf.data() + offset) != spi_.value) return DropReason::spi_mismatch;
  const std::size_t body = length - o.headroom - o.icv_size;
  if (body % o.block_size != 0) return DropReason::bad_length;
  return std::nullopt;
}

// After the window accepted an authenticated packet: trailer, inner packet, counters.
DecapResult InboundSa::finish(std::size_t lane, MutableByteSpan buf, std::size_t offset,
                              SequenceNumber seq) {
  const Overhead& o = overhead_;
  std::uint8_t nh = 0;
  const std::size_t length = buf.size() - offset;  // callers pass buf cut to the packet
  auto inner = check_trailer(buf, offset + o.headroom, length - o.headroom - o.icv_size, nh);
  if (!inner) return Unexpected{drop(inner.error(), lane)};
  DecapOk ok;
  ok.inner = *inner;
  ok.next_header = nh;
  ok.seq = seq;
  ok.event = account(inner->length, lane);
  return ok;
}

DecapResult InboundSa::decap(MutableByteSpan buf, std::size_t offset, std::size_t length) {
  if (auto bad = check_packet(buf, offset, length)) return Unexpected{drop(*bad)};
  const Overhead& o = overhead_;
  std::uint8_t* esp = buf.data() + offset;
  const std::size_t body = length - o.headroom - o.icv_size;
  // RFC 4303 3.4.3: reject duplicates before spending time on the ICV ...
  const auto seq = window_.check(load_be32(esp + 4));
  if (!seq) return Unexpected{drop(DropReason::replay)};
  if (!transform(0).open(esp, body, seq->high())) return Unexpected{drop(DropReason::auth_failed)};
  // ... and move the window only for authenticated packets.
  window_.update(*seq);
  return finish(0, buf.first(offset + length), offset, *seq);
}

void InboundSa::decap_batch(std::size_t lane, std::span<Job> jobs) {
  for (Job& j : jobs) {
    j.ok = false;
    if (auto bad = check_packet(j.buf, j.offset, j.length)) {
      j.reason = drop(*bad, lane);
      j.length = 0;  // marks the job done
    }
  }
  {
    // RFC 4303 3.4.3: the window check comes before the ICV ...
    std::lock_guard lock(window_mu_);
    for (Job& j : jobs) {
      if (j.length == 0) continue;
      const auto seq = window_.check(load_be32(j.buf.data() + j.offset + 4));
      j.seq = seq ? seq->value : 0;
    }
  }
  open_all(lane, jobs);
  {
    // ... and only authenticated numbers move it; a number marked since the check (by
    // another lane, or a duplicate earlier in this batch) is a replay after all.
    std::lock_guard lock(window_mu_);
    for (Job& j : jobs) {
      if (j.length != 0 && !window_.accept(SequenceNumber{j.seq})) j.seq = 0;
    }
  }
  for (Job& j : jobs) {
    if (j.length == 0) continue;
    if (j.seq == 0) {
      j.reason = drop(DropReason::replay, lane);
      continue;
    }
    auto r = finish(lane, j.buf.first(j.offset + j.length), j.offset, SequenceNumber{j.seq});
    if (r) {
      j.ok = true;
      j.out = *r;
    } else {
      j.reason = r.error();
    }
  }
}

// ICV + decryption for the jobs that passed the window check, handed to the backend a
// chunk at a time (it may interleave them); failures are dropped and marked done.
void InboundSa::open_all(std::size_t lane, std::span<Job> jobs) {
  constexpr std::size_t kChunk = 64;
  CryptoJob crypto[kChunk];
  Job* owner[kChunk];
  const Overhead& o = overhead_;
  std::size_t ready = 0;
  auto run = [&] {
    transform(lane).open_batch(std::span<CryptoJob>(crypto, ready));
    for (std::size_t k = 0; k < ready; ++k) {
      if (crypto[k].ok) continue;
      owner[k]->reason = drop(DropReason::auth_failed, lane);
      owner[k]->length = 0;
    }
    ready = 0;
  };
  for (Job& j : jobs) {
    if (j.length == 0) continue;
    const SequenceNumber seq{j.seq};
    if (seq.value == 0) {
      j.reason = drop(DropReason::replay, lane);
      j.length = 0;
      continue;
    }
    crypto[ready] =
        CryptoJob{j.buf.data() + j.offset, j.length - o.headroom - o.icv_size, seq.high(), false};
    owner[ready++] = &j;
    if (ready == kChunk) run();
  }
  run();
}

Result<PacketRegion, DropReason> InboundSa::check_trailer(MutableByteSpan buf, std::size_t start,
                                                          std::size_t plain_len, std::uint8_t& nh) {
  const std::uint8_t* plain = buf.data() + start;
  const std::size_t pad_len = plain[plain_len - 2];
  nh = plain[plain_len - 1];
  // RFC 4303 2.4: Pad Length counts the pad bytes, which must read 1, 2, 3, ...
  if (pad_len + 2 > plain_len) return Unexpected{DropReason::bad_padding};
  const std::size_t payload_len = plain_len - 2 - pad_len;
  for (std::size_t i = 0; i < pad_len; ++i) {
    if (plain[payload_len + i] != static_cast<std::uint8_t>(i + 1)) {
      return Unexpected{DropReason::bad_padding};
    }
  }
  // RFC 4303 2.6: Next Header 59 marks a dummy packet, to be discarded.
  if (nh == kNextHeaderNone) return Unexpected{DropReason::dummy_packet};
  if (mode_ == Mode::transport) return PacketRegion{start, payload_len};
  if (nh != kNextHeaderIpv4 && nh != kNextHeaderIpv6) {
    return Unexpected{DropReason::bad_next_header};
  }
  const std::size_t inner = inner_ip_length(plain, payload_len, nh);
  if (inner == 0) return Unexpected{DropReason::bad_inner_packet};
  return PacketRegion{start, inner};
}

}  // namespace vpnlab::esp
