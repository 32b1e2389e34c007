#include "dataplane/linux/packet_rx_ring.hpp"

#include <linux/if_packet.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/errors.hpp"

namespace vpnlab::dataplane {
namespace {

tpacket_block_desc* block_at(std::uint8_t* base, std::uint32_t index, std::uint32_t size) {
  return reinterpret_cast<tpacket_block_desc*>(base + std::size_t{index} * size);
}

Unexpected<Error> ring_fail(const char* what) {
  int err = errno;
  return fail(errno_code(err),
              std::string("TPACKET_V3 receive ring: ") + what + ": " + std::strerror(err));
}

}  // namespace

Checked<PacketRxRing> PacketRxRing::map(int fd, Geometry g) {
  int version = TPACKET_V3;
  if (::setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    return ring_fail("PACKET_VERSION");
  }
  tpacket_req3 req{};
  req.tp_block_size = g.block_size;
  req.tp_block_nr = g.blocks;
  req.tp_frame_size = g.frame_size;
  req.tp_frame_nr = g.block_size / g.frame_size * g.blocks;
  req.tp_retire_blk_tov = g.retire_ms;
  if (::setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    return ring_fail("PACKET_RX_RING");
  }
  std::size_t size = std::size_t{g.block_size} * g.blocks;
  void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return ring_fail("mmap");
  return PacketRxRing(static_cast<std::uint8_t*>(base), size, g);
}

PacketRxRing::PacketRxRing(PacketRxRing&& o) noexcept
    : base_(o.base_), size_(o.size_), g_(o.g_), block_(o.block_), left_(o.left_), frame_(o.frame_) {
  o.base_ = nullptr;
}

PacketRxRing::~PacketRxRing() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

bool PacketRxRing::next_frame() {
  while (left_ == 0) {
    tpacket_block_desc* b = block_at(base_, block_, g_.block_size);
    // The kernel publishes a block by setting TP_STATUS_USER last (packet_mmap.rst).
    if ((__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) {
      return false;
    }
    left_ = b->hdr.bh1.num_pkts;
    frame_ = reinterpret_cast<std::uint8_t*>(b) + b->hdr.bh1.offset_to_first_pkt;
    if (left_ == 0) {  // an empty block (retired by its timer): give it back
      __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
      block_ = (block_ + 1) % g_.blocks;
    }
  }
  return true;
}

std::span<const std::uint8_t> PacketRxRing::frame_bytes() const {
  const auto* h = reinterpret_cast<const tpacket3_hdr*>(frame_);
  return {frame_ + h->tp_mac, h->tp_snaplen};
}

bool PacketRxRing::frame_truncated() const {
  const auto* h = reinterpret_cast<const tpacket3_hdr*>(frame_);
  return h->tp_snaplen < h->tp_len;
}

void PacketRxRing::consume_frame() {
  const auto* h = reinterpret_cast<const tpacket3_hdr*>(frame_);
  frame_ += h->tp_next_offset;
  if (--left_ > 0) return;
  tpacket_block_desc* b = block_at(base_, block_, g_.block_size);
  __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  block_ = (block_ + 1) % g_.blocks;
}

}  // namespace vpnlab::dataplane
