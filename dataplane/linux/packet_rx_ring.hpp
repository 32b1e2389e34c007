#pragma once
// A TPACKET_V3 receive ring on a packet socket (the kernel's packet_mmap.rst): the kernel
// copies each frame into a shared, block-structured ring and hands a block over when it is
// full or `retire_ms` after its first frame, so a busy receiver is woken once per block
// (~40 full-size ESP packets of 64 KiB) instead of once per packet, and reads frames
// without a system call. The price is latency for sparse traffic: up to retire_ms.
//
// Used by the AF_PACKET ESP transport (packet_socket.hpp); one reader thread.

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.hpp"
#include "dataplane/linux/packet_rx_ring_reader.hpp"

namespace vpnlab::dataplane {

class PacketRxRing : public PacketRxRingReader<PacketRxRing> {
 public:
  struct Geometry {
    std::uint32_t block_size = 1u << 16;  // a multiple of the page size
    std::uint32_t blocks = 64;            // 4 MiB per socket
    std::uint32_t frame_size = 2048;      // the kernel's accounting unit only (V3 packs frames)
    std::uint32_t retire_ms = 1;          // a partly filled block is handed over after this
  };
  /// Switches fd (an AF_PACKET socket, before bind) to TPACKET_V3 and maps the ring.
  /// Errors carry errno and the step.
  static Checked<PacketRxRing> map(int fd, Geometry g);
  PacketRxRing(PacketRxRing&& o) noexcept;
  PacketRxRing& operator=(PacketRxRing&&) = delete;
  ~PacketRxRing();
  // read(max, on_frame): the frames in order (packet_rx_ring_reader.hpp).

 private:
  friend class PacketRxRingReader<PacketRxRing>;  // read() (packet_rx_ring_reader.hpp)
  PacketRxRing(std::uint8_t* base, std::size_t size, Geometry g)
      : base_(base), size_(size), g_(g) {}
  bool next_frame();  // true when a frame is available at frame_
  std::span<const std::uint8_t> frame_bytes() const;
  bool frame_truncated() const;
  void consume_frame();

  std::uint8_t* base_ = nullptr;
  std::size_t size_ = 0;
  Geometry g_;
  std::uint32_t block_ = 0;        // the block being read
  std::uint32_t left_ = 0;         // frames left in it
  std::uint8_t* frame_ = nullptr;  // the next frame's tpacket3_hdr
};

}  // namespace vpnlab::dataplane
