#pragma once
// A bounded, preallocated pool of PacketBufs (wireguard-go WaitPool): all buffers are carved
// out of one allocation at construction, so the hot path never allocates. Exhaustion is the
// backpressure: acquire() returns an empty PooledPacket and the caller stops reading.
//
// Concurrency: a pool belongs to one worker thread. acquire() and the release done by
// PooledPacket's deleter must run on that thread (packets handed to another thread are copied
// out first, as IKE datagrams are).

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "dataplane/core/packet_buf.hpp"

namespace vpnlab::dataplane {

class PacketPool;

struct PacketReturner {
  PacketPool* pool = nullptr;
  void operator()(PacketBuf* buf) const;
};

/// Owns one buffer; destroying it (on every path, errors included) returns it to the pool.
using PooledPacket = std::unique_ptr<PacketBuf, PacketReturner>;

class PacketPool {
 public:
  /// `count` buffers of `buffer_size` bytes each (headroom included).
  PacketPool(std::uint32_t count, std::uint32_t buffer_size,
             std::uint32_t headroom = kDefaultHeadroom);
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;
  ~PacketPool();

  /// A reset buffer, or an empty pointer when all buffers are in use.
  PooledPacket acquire();

  std::uint32_t capacity() const { return static_cast<std::uint32_t>(bufs_.size()); }
  std::uint32_t available() const { return static_cast<std::uint32_t>(free_.size()); }
  std::uint32_t buffer_size() const { return buffer_size_; }
  /// How often acquire() found the pool empty.
  std::uint64_t exhausted() const { return exhausted_; }

 private:
  friend struct PacketReturner;
  void release(PacketBuf* buf);

  std::uint32_t buffer_size_;
  std::uint32_t headroom_;
  std::unique_ptr<std::uint8_t[]> storage_;
  std::deque<PacketBuf> bufs_;    // deque: stable addresses, no moves
  std::vector<PacketBuf*> free_;  // LIFO: the most recently used buffer is warm in cache
  std::uint64_t exhausted_ = 0;
};

}  // namespace vpnlab::dataplane
