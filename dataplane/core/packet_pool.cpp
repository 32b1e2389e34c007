#include "dataplane/core/packet_pool.hpp"

#include <cstdio>
#include <cstdlib>

namespace vpnlab::dataplane {

void PacketReturner::operator()(PacketBuf* buf) const {
  if (buf != nullptr) pool->release(buf);
}

PacketPool::PacketPool(std::uint32_t count, std::uint32_t buffer_size, std::uint32_t headroom)
    : buffer_size_(buffer_size),
      headroom_(headroom),
      storage_(new std::uint8_t[std::size_t{count} * buffer_size]) {
  free_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    bufs_.emplace_back(storage_.get() + std::size_t{i} * buffer_size, buffer_size);
  }
  for (std::uint32_t i = count; i > 0; --i) free_.push_back(&bufs_[i - 1]);
}

PacketPool::~PacketPool() {
  // A buffer still out would point into freed storage: a broken invariant, not input.
  if (free_.size() != bufs_.size()) {
    std::fprintf(stderr, "PacketPool destroyed with %zu buffers in use\n",
                 bufs_.size() - free_.size());
    std::abort();
  }
}

PooledPacket PacketPool::acquire() {
  if (free_.empty()) {
    ++exhausted_;
    return PooledPacket(nullptr, PacketReturner{this});
  }
  PacketBuf* buf = free_.back();
  free_.pop_back();
  buf->reset(headroom_);
  return PooledPacket(buf, PacketReturner{this});
}

void PacketPool::release(PacketBuf* buf) {
  if (free_.size() >= bufs_.size()) {
    std::fprintf(stderr, "PacketPool: double release\n");
    std::abort();
  }
  free_.push_back(buf);
}

}  // namespace vpnlab::dataplane
