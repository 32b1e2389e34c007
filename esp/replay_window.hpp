#pragma once
// Anti-replay sliding window (RFC 4303 3.4.3) with Extended Sequence Numbers (RFC 4303
// appendix A2): a bitmap of the last `size` sequence numbers below the highest one
// authenticated so far. Split in two, as RFC 4303 3.4.3 orders it:
//
//   check(seq_low)  before decryption: infers the 64-bit number (ESN) and rejects
//                   duplicates and numbers left of the window; changes nothing;
//   update(seq)     after the ICV verified: marks seq received, slides the window.
//
// The bitmap is a ring of 64-bit words (RFC 6479): a slide clears whole words instead of
// shifting the bitmap, so cost does not grow with the window size. Memory is allocated
// once at construction; check/update never allocate. Not thread-safe: one owner (the
// worker that owns the inbound SA).

#include <cstdint>
#include <optional>
#include <vector>

#include "esp/types.hpp"

namespace vpnlab::esp {

/// Largest supported window (packets). AWS uses 1024; strongSwan allows any size.
inline constexpr std::uint32_t kMaxReplayWindow = 32768;

class ReplayWindow {
 public:
  /// size 0 disables anti-replay (RFC 4303 3.4.3: the receiver may disable it); the
  /// highest number is still tracked so ESN high bits can be inferred. Sizes above
  /// kMaxReplayWindow are clamped to it (SA setup validates before).
  ReplayWindow(std::uint32_t size, bool esn);

  /// The full sequence number for the 32 bits on the wire, or std::nullopt when the packet
  /// is a replay or too old (and must be dropped before decrypting). Without ESN the
  /// number 0 is always rejected (RFC 4303 3.3.3: the first packet is 1).
  std::optional<SequenceNumber> check(std::uint32_t seq_low) const;

  /// Marks seq (as returned by check and then authenticated) received.
  void update(SequenceNumber seq);
  /// update() that first checks again: false (and nothing changes) when seq was marked or
  /// fell left of the window since check(), as happens when workers share the window.
  bool accept(SequenceNumber seq);

  std::uint32_t size() const { return size_; }
  bool esn() const { return esn_; }
  /// Highest authenticated sequence number (0 before the first packet).
  SequenceNumber top() const { return SequenceNumber{top_}; }

 private:
  SequenceNumber infer(std::uint32_t seq_low, bool& underflow) const;
  bool seen(std::uint64_t seq) const;

  std::uint32_t size_;
  bool esn_;
  std::uint64_t top_ = 0;
  std::vector<std::uint64_t> ring_;  // power-of-two count of words
  std::uint64_t ring_mask_ = 0;      // word count - 1
};

}  // namespace vpnlab::esp
