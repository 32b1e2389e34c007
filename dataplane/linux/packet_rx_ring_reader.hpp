#pragma once
// The frame loop shared by the packet socket's receive rings (packet_rx_ring.hpp,
// packet_rx_ring_v2.hpp): the ring (CRTP) says whether a frame is ready, what it holds and
// how to give it back; the order and early-stop rules live here once.

#include <cstddef>

namespace vpnlab::dataplane {

template <typename Ring>
class PacketRxRingReader {
 public:
  /// Frames the kernel handed over, in order: calls on_frame(bytes, truncated) for up to
  /// `max` of them (bytes from the network header on, for a SOCK_DGRAM socket; truncated:
  /// larger than the ring's frame room) and stops early when it returns false (that frame
  /// stays). Consumed frames go back to the kernel. Returns how many were consumed.
  template <typename F>
  std::size_t read(std::size_t max, F&& on_frame) {
    Ring& ring = static_cast<Ring&>(*this);
    std::size_t n = 0;
    while (n < max && ring.next_frame()) {
      if (!on_frame(ring.frame_bytes(), ring.frame_truncated())) break;
      ring.consume_frame();
      ++n;
    }
    return n;
  }
};

}  // namespace vpnlab::dataplane
