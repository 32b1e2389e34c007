#pragma once
// A batch of pooled packets moving through one pipeline stage (wireguard-go's [][]byte with
// conn.IdealBatchSize). Capacity is fixed at construction; push never allocates.

#include <cstddef>
#include <vector>

#include "dataplane/core/packet_pool.hpp"

namespace vpnlab::dataplane {

/// What wireguard-go uses (conn.IdealBatchSize); devices may offer less.
inline constexpr std::size_t kIdealBatchSize = 128;

class PacketBatch {
 public:
  explicit PacketBatch(std::size_t capacity = kIdealBatchSize) : cap_(capacity) {
    packets_.reserve(capacity);
  }

  std::size_t size() const { return packets_.size(); }
  std::size_t capacity() const { return cap_; }
  bool empty() const { return packets_.empty(); }
  bool full() const { return packets_.size() >= cap_; }

  /// Takes ownership; returns false (dropping nothing: the caller keeps it) when full.
  bool push(PooledPacket&& p) {
    if (full()) return false;
    packets_.push_back(std::move(p));
    return true;
  }
  PacketBuf& operator[](std::size_t i) { return *packets_[i]; }
  const PacketBuf& operator[](std::size_t i) const { return *packets_[i]; }
  PooledPacket& slot(std::size_t i) { return packets_[i]; }
  /// Returns every packet to its pool.
  void clear() { packets_.clear(); }
  /// Removes the packets whose slot is empty (after a stage moved or dropped some), keeping
  /// order.
  void compact() {
    std::size_t out = 0;
    for (std::size_t i = 0; i < packets_.size(); ++i) {
      if (packets_[i]) {
        if (out != i) packets_[out] = std::move(packets_[i]);
        ++out;
      }
    }
    packets_.erase(packets_.begin() + static_cast<std::ptrdiff_t>(out), packets_.end());
  }

 private:
  std::size_t cap_;
  std::vector<PooledPacket> packets_;
};

}  // namespace vpnlab::dataplane
