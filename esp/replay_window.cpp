// Anti-replay window, RFC 4303 3.4.3 and appendix A2 (ESN), bitmap as a ring of words
// (RFC 6479 2): bit (seq mod 64) of word (seq / 64 mod words) says "seq was received".
#include "esp/replay_window.hpp"

#include <algorithm>

namespace vpnlab::esp {

namespace {
constexpr std::uint64_t kBits = 64;

std::uint64_t round_up_pow2(std::uint64_t v) {
  std::uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}
}  // namespace

ReplayWindow::ReplayWindow(std::uint32_t size, bool esn)
    : size_(std::min(size, kMaxReplayWindow)), esn_(esn) {
  if (size_ == 0) return;
  // One spare word so the word holding top_ never aliases the oldest word in the window.
  const std::uint64_t words = round_up_pow2((size_ + kBits - 1) / kBits + 1);
  ring_.assign(words, 0);
  ring_mask_ = words - 1;
}

// RFC 4303 A2.2: the high 32 bits are the ones that put the number inside (or right of)
// the window; "underflow" means no valid 64-bit number fits (before 0 or past 2^64-1).
SequenceNumber ReplayWindow::infer(std::uint32_t seq_low, bool& underflow) const {
  underflow = false;
  if (!esn_) return SequenceNumber{seq_low};
  const auto tl = static_cast<std::uint32_t>(top_);
  const auto th = static_cast<std::uint32_t>(top_ >> 32);
  std::uint64_t high = th;
  if (size_ == 0) {
    // No window: take the candidate nearest to the highest number seen (modular, so no
    // signed overflow); numbers before 0 or past 2^64-1 do not exist.
    const auto diff = static_cast<std::int32_t>(seq_low - tl);
    const std::uint64_t seq = top_ + static_cast<std::uint64_t>(static_cast<std::int64_t>(diff));
    underflow = diff < 0 ? seq > top_ : seq < top_;
    return SequenceNumber{seq};
  }
  const std::uint32_t w = size_;
  const std::uint32_t bottom = tl - w + 1;  // mod 2^32
  if (tl >= w - 1) {
    // Case A: the window lies within one 2^32 subspace.
    if (seq_low < bottom) high = std::uint64_t{th} + 1;
  } else if (seq_low >= bottom) {
    // Case B: the window spans two subspaces and seq_low is in the lower one.
    if (th == 0) underflow = true;
    high = std::uint64_t{th} - 1;
  }
  if (high > 0xffffffffu) underflow = true;
  return SequenceNumber{(high << 32) | seq_low};
}

bool ReplayWindow::seen(std::uint64_t seq) const {
  return (ring_[(seq / kBits) & ring_mask_] >> (seq % kBits)) & 1u;
}

std::optional<SequenceNumber> ReplayWindow::check(std::uint32_t seq_low) const {
  bool underflow = false;
  const SequenceNumber seq = infer(seq_low, underflow);
  // RFC 4303 3.3.3: the first packet carries 1; 0 is never sent (nor 2^64 with ESN).
  if (underflow || seq.value == 0) return std::nullopt;
  if (size_ == 0 || seq.value > top_) return seq;
  if (top_ - seq.value >= size_) return std::nullopt;  // left of the window
  if (seen(seq.value)) return std::nullopt;            // duplicate
  return seq;
}

void ReplayWindow::update(SequenceNumber seq) {
  const std::uint64_t s = seq.value;
  if (size_ == 0) {
    top_ = std::max(top_, s);
    return;
  }
  if (s > top_) {
    // Slide: clear the words between the old top and the new one (all, when the jump is
    // larger than the ring), then move the top.
    std::uint64_t words = s / kBits - top_ / kBits;
    words = std::min<std::uint64_t>(words, ring_.size());
    for (std::uint64_t i = 1; i <= words; ++i) ring_[(top_ / kBits + i) & ring_mask_] = 0;
    top_ = s;
  } else if (top_ - s >= size_) {
    return;  // older than the window: check() would have rejected it
  }
  ring_[(s / kBits) & ring_mask_] |= std::uint64_t{1} << (s % kBits);
}

bool ReplayWindow::accept(SequenceNumber seq) {
  const std::uint64_t s = seq.value;
  if (size_ != 0 && s <= top_ && (top_ - s >= size_ || seen(s))) return false;
  update(seq);
  return true;
}

}  // namespace vpnlab::esp
