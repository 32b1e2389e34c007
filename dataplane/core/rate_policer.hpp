#pragma once
// RatePolicer: holds a stream of packets to a bit rate and a packet rate at once, dropping
// what exceeds them (a policer, not a shaper: nothing is queued). It emulates the clouds'
// documented throughput limits (`lab.emulate_limits`, README "The clouds' limits"): AWS
// 1.25 Gbps and 140,000 packets per second per tunnel, an Azure SKU's aggregate.
//
// The algorithm is GCRA (the virtual-scheduling form of a token bucket, ITU-T I.371): each
// packet costs the larger of its time at the bit rate and at the packet rate; it conforms
// when the theoretical arrival time (TAT) is at most `burst` ahead of now, and then pushes
// TAT on by its cost. One atomic TAT shared by every worker lane of a tunnel, updated by
// compare-and-swap, so lanes need no lock. Charging the larger cost per packet holds both
// limits exactly for packets of one size and slightly under them for mixed sizes.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace vpnlab::dataplane {

struct RateLimit {
  double bits_per_second = 0;     // 0: no bit-rate limit
  double packets_per_second = 0;  // 0: no packet-rate limit
  bool enabled() const { return bits_per_second > 0 || packets_per_second > 0; }
};

class RatePolicer {
 public:
  /// Not thread-safe against admit(): set before the workers run.
  void set(RateLimit limit, std::chrono::nanoseconds burst = std::chrono::milliseconds(5)) {
    limit_ = limit;
    ns_per_byte_ = limit.bits_per_second > 0 ? 8e9 / limit.bits_per_second : 0;
    ns_per_packet_ = limit.packets_per_second > 0 ? 1e9 / limit.packets_per_second : 0;
    burst_ns_ = burst.count();
  }
  bool enabled() const { return limit_.enabled(); }
  const RateLimit& limit() const { return limit_; }

  /// true: the packet of `bytes` conforms and is charged; false: drop it.
  bool admit(std::uint32_t bytes, std::int64_t now_ns) {
    if (!enabled()) return true;
    const auto cost = static_cast<std::int64_t>(std::max(bytes * ns_per_byte_, ns_per_packet_));
    std::int64_t tat = tat_ns_.load(std::memory_order_relaxed);
    for (;;) {
      const std::int64_t base = std::max(tat, now_ns);
      if (base - now_ns > burst_ns_) return false;
      if (tat_ns_.compare_exchange_weak(tat, base + cost, std::memory_order_relaxed)) return true;
    }
  }

  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  RateLimit limit_;
  double ns_per_byte_ = 0, ns_per_packet_ = 0;
  std::int64_t burst_ns_ = 0;
  std::atomic<std::int64_t> tat_ns_{0};
};

}  // namespace vpnlab::dataplane
