#pragma once
// The afxdp case of esp_ceiling (issue 13): receive raw ESP through an AF_XDP socket in copy
// mode (the kernel's af_xdp.rst) on a veth, instead of a packet socket. A minimal XDP program,
// hand-assembled and loaded with the bpf() syscall (no libbpf/libxdp: a measurement tool),
// redirects IPv4 protocol 50 to the socket in an XSKMAP at the frame's rx_queue_index and
// passes everything else to the stack. Attached natively to the device (veth's own XDP,
// which runs in the peer's transmit NAPI), through a bpf link that goes with the process.
// With XDP_COPY the kernel copies each frame into the UMEM, no skb reaches the IP stack, so
// no nftables drop is needed.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dataplane/core/packet_pool.hpp"

namespace vpnlab::bench {

class XskReceiver {
 public:
  /// Opens the socket on queue 0 of `dev`, loads and attaches the program. Errors name the
  /// step and errno (the verifier's log for the program).
  static Checked<XskReceiver> open(const std::string& dev);
  XskReceiver(XskReceiver&& o) noexcept;
  XskReceiver& operator=(XskReceiver&&) = delete;
  ~XskReceiver();

  int fd() const { return fd_; }
  /// Takes up to `max` frames from the RX ring, copies each ESP packet into a pool buffer
  /// (as the packet-socket transport does) and gives the frames back through the fill ring.
  /// Returns how many ESP packets were taken (others counted in `malformed`).
  std::size_t read(std::size_t max, dataplane::PacketPool& pool);
  std::uint64_t malformed() const { return malformed_; }

 private:
  struct Ring {
    std::uint32_t* producer = nullptr;
    std::uint32_t* consumer = nullptr;
    void* desc = nullptr;
    std::uint32_t mask = 0;
    void* map = nullptr;
    std::size_t map_len = 0;
  };
  XskReceiver() = default;
  Checked<void> setup(const std::string& dev);
  Checked<void> map_rings();
  Checked<void> attach(int ifindex);
  void refill(std::uint64_t addr);

  int fd_ = -1, map_fd_ = -1, prog_fd_ = -1, link_fd_ = -1;
  std::uint8_t* umem_ = nullptr;
  Ring rx_, fill_;
  std::uint64_t malformed_ = 0;
};

}  // namespace vpnlab::bench
