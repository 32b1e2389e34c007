#include "dataplane/linux/packet_rx_ring_v2.hpp"

#include <linux/if_packet.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/errors.hpp"

namespace vpnlab::dataplane {
namespace {

Unexpected<Error> ring_fail(const char* what) {
  int err = errno;
  return fail(errno_code(err),
              std::string("TPACKET_V2 receive ring: ") + what + ": " + std::strerror(err));
}

tpacket2_hdr* header(std::uint8_t* slot) {
  return reinterpret_cast<tpacket2_hdr*>(slot);
}

}  // namespace

Checked<PacketRxRingV2> PacketRxRingV2::map(int fd, Geometry g) {
  int version = TPACKET_V2;
  if (::setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    return ring_fail("PACKET_VERSION");
  }
  tpacket_req req{};
  req.tp_block_size = g.block_size;
  req.tp_block_nr = g.blocks;
  req.tp_frame_size = g.frame_size;
  req.tp_frame_nr = g.block_size / g.frame_size * g.blocks;
  if (::setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    return ring_fail("PACKET_RX_RING");
  }
  std::size_t size = std::size_t{g.block_size} * g.blocks;
  void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return ring_fail("mmap");
  return PacketRxRingV2(static_cast<std::uint8_t*>(base), size, g);
}

PacketRxRingV2::PacketRxRingV2(PacketRxRingV2&& o) noexcept
    : base_(o.base_), size_(o.size_), g_(o.g_), frames_(o.frames_), next_(o.next_) {
  o.base_ = nullptr;
}

PacketRxRingV2::~PacketRxRingV2() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

// Slots do not cross blocks: a block holds block_size / frame_size of them, any rest unused
// (packet_mmap.rst, "How to use mmap() to improve reception").
std::uint8_t* PacketRxRingV2::slot() const {
  const std::uint32_t per_block = g_.block_size / g_.frame_size;
  return base_ + std::size_t{next_ / per_block} * g_.block_size +
         std::size_t{next_ % per_block} * g_.frame_size;
}

bool PacketRxRingV2::next_frame() const {
  // The kernel publishes a slot by setting TP_STATUS_USER after writing it.
  return (__atomic_load_n(&header(slot())->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
}

std::span<const std::uint8_t> PacketRxRingV2::frame_bytes() const {
  std::uint8_t* s = slot();
  return {s + header(s)->tp_mac, header(s)->tp_snaplen};
}

// Larger than a slot: the kernel copied what fits (tp_snaplen < tp_len) and marks the slot
// TP_STATUS_COPY when it also queued the whole frame for recvmsg, which we never call.
bool PacketRxRingV2::frame_truncated() const {
  const tpacket2_hdr* h = header(slot());
  return h->tp_snaplen < h->tp_len || (h->tp_status & TP_STATUS_COPY) != 0;
}

void PacketRxRingV2::consume_frame() {
  __atomic_store_n(&header(slot())->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  next_ = (next_ + 1) % frames_;
}

}  // namespace vpnlab::dataplane
