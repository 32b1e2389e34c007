#pragma once
// A TPACKET_V2 receive ring on a packet socket (the kernel's packet_mmap.rst): fixed-size
// frame slots, each with its own status word. The kernel hands a frame over as soon as it
// is written (TP_STATUS_USER on that slot, then a wakeup), so a lone packet waits for no
// block timer as with TPACKET_V3 (packet_rx_ring.hpp: up to retire_ms, 1 ms at least),
// while a busy reader still drains many frames per wakeup without a system call.
// The price: a slot per frame whatever its size, and a frame larger than a slot is cut
// (reported as truncated).
//
// Used by the AF_PACKET ESP transport (packet_socket.hpp); one reader thread.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.hpp"
#include "dataplane/linux/packet_rx_ring_reader.hpp"

namespace vpnlab::dataplane {

class PacketRxRingV2 : public PacketRxRingReader<PacketRxRingV2> {
 public:
  struct Geometry {
    std::uint32_t block_size = 1u << 16;  // a multiple of the page size and of frame_size
    std::uint32_t blocks = 128;           // 8 MiB per socket, 2048 slots
    /// A slot: the tpacket2_hdr and sockaddr_ll (~80 bytes) plus the frame, so a 1500-byte
    /// underlay MTU fits with room for outer fragments reassembled up to ~4000 bytes.
    std::uint32_t frame_size = 4096;
  };
  /// Switches fd (an AF_PACKET socket, before bind) to TPACKET_V2 and maps the ring.
  /// Errors carry errno and the step.
  static Checked<PacketRxRingV2> map(int fd, Geometry g);
  PacketRxRingV2(PacketRxRingV2&& o) noexcept;
  PacketRxRingV2& operator=(PacketRxRingV2&&) = delete;
  ~PacketRxRingV2();
  // read(max, on_frame): the frames in order (packet_rx_ring_reader.hpp).

 private:
  friend class PacketRxRingReader<PacketRxRingV2>;  // read() (packet_rx_ring_reader.hpp)
  PacketRxRingV2(std::uint8_t* base, std::size_t size, Geometry g)
      : base_(base), size_(size), g_(g), frames_(g.block_size / g.frame_size * g.blocks) {}
  bool next_frame() const;  // true when the slot at next_ is the reader's
  std::uint8_t* slot() const;
  std::span<const std::uint8_t> frame_bytes() const;
  bool frame_truncated() const;
  void consume_frame();

  std::uint8_t* base_ = nullptr;
  std::size_t size_ = 0;
  Geometry g_;
  std::uint32_t frames_ = 0;  // slots in the ring
  std::uint32_t next_ = 0;    // the slot to read next
};

}  // namespace vpnlab::dataplane
