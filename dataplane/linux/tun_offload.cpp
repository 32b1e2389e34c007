// TUN offloads (IFF_VNET_HDR + TUNSETOFFLOAD), the wireguard-go tun/offload_linux.go idea:
// the kernel hands the tunnel TCP super-packets of up to 64 KiB (one read instead of ~45)
// which we cut into MSS-sized segments here, so the core still sees plain packets; every
// read and write carries a virtio_net_hdr (virtio_net_hdr.hpp).

#include <linux/if_tun.h>

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "dataplane/linux/tun_device.hpp"
#include "dataplane/linux/virtio_net_hdr.hpp"

namespace vpnlab::dataplane {

namespace {

constexpr std::size_t kMaxSuperPacket = 65535 + kVirtioNetHdrLen;
// Room kept free in the batch before reading another super-packet: 64 KiB at MSS >= 1024,
// or the 64 datagrams of a UDP_SEGMENT send (UDP_MAX_SEGMENTS; newer kernels allow 128,
// the rest is then dropped and counted as pool exhaustion).
constexpr std::size_t kSegmentsPerRead = 64;

// Segments go into fresh pool buffers, each at the pool's headroom, appended to the batch.
class PoolSink final : public SegmentSink {
 public:
  PoolSink(PacketBatch& out, PacketPool& pool) : out_(out), pool_(pool) {}
  std::uint8_t* segment(std::size_t length) override {
    if (out_.full()) return nullptr;
    PooledPacket p = pool_.acquire();
    if (!p || !p->set_size(static_cast<std::uint32_t>(length)) || p->tailroom() < kMinTailroom) {
      return nullptr;
    }
    std::uint8_t* at = p->data();
    out_.push(std::move(p));
    return at;
  }

 private:
  PacketBatch& out_;
  PacketPool& pool_;
};

}  // namespace

bool LinuxTun::enable_offload() {
  // Checksum offload is a precondition of TSO (tun.c set_offload). UDP segmentation
  // offload (Linux 6.2) is offered for IPv4 and IPv6 together; IPv6 super-packets are
  // counted as read errors (the tunnels carry IPv4).
  unsigned flags = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_USO4 | TUN_F_USO6;
  uso_ = ::ioctl(fd_, TUNSETOFFLOAD, flags) == 0;
  if (!uso_) {
    flags = TUN_F_CSUM | TUN_F_TSO4;
    if (::ioctl(fd_, TUNSETOFFLOAD, flags) < 0) return false;
  }
  scratch_ = std::make_unique<std::uint8_t[]>(kMaxSuperPacket);
  write_scratch_ = std::make_unique<std::uint8_t[]>(kMaxSuperPacket);
  views_.reserve(1024);
  return true;
}

Result<std::size_t> LinuxTun::read_batch_vnet(PacketBatch& out, PacketPool& pool) {
  std::size_t before = out.size();
  PoolSink sink(out, pool);
  while (out.size() == before || out.capacity() - out.size() >= kSegmentsPerRead) {
    if (out.size() - before >= batch_ || pool.available() < kSegmentsPerRead) break;
    ssize_t got = ::read(fd_, scratch_.get(), kMaxSuperPacket);
    if (got < 0) {
      if (errno != EAGAIN && errno != EINTR) ++read_errors_;
      break;
    }
    if (static_cast<std::size_t>(got) <= kVirtioNetHdrLen) continue;
    VirtioNetHdr h = decode_vnet_hdr({scratch_.get(), kVirtioNetHdrLen});
    std::span<std::uint8_t> pkt{scratch_.get() + kVirtioNetHdrLen,
                                static_cast<std::size_t>(got) - kVirtioNetHdrLen};
    std::uint8_t type = h.gso_type & static_cast<std::uint8_t>(~VirtioNetHdr::kGsoEcn);
    if (type == VirtioNetHdr::kGsoTcpV4 || type == VirtioNetHdr::kGsoUdpL4) {
      int n = type == VirtioNetHdr::kGsoTcpV4 ? gso_split_tcp4(h, pkt, sink)
                                              : gso_split_udp4(h, pkt, sink);
      if (n < 0) ++read_errors_;
      ++gso_packets_;
      gso_segments_ += static_cast<std::uint64_t>(n > 0 ? n : 0);
      continue;
    }
    if (type != VirtioNetHdr::kGsoNone) {
      ++read_errors_;  // we never offered other GSO types
      continue;
    }
    if ((h.flags & VirtioNetHdr::kNeedsCsum) && !finish_checksum(h, pkt)) {
      ++read_errors_;
      continue;
    }
    std::uint8_t* at = sink.segment(pkt.size());
    if (at == nullptr) break;
    std::memcpy(at, pkt.data(), pkt.size());
  }
  return out.size() - before;
}

Result<std::size_t> LinuxTun::write_batch_vnet(PacketBatch& in) {
  // Runs of segments of one TCP flow go out as one super-packet (coalesce_tcp4_headers): one
  // write and one trip through the kernel's forwarding path instead of ~45. The payloads are
  // not copied together: one writev gathers the new headers and each segment's payload.
  // Everything else is written alone behind a "complete packet, no GSO" header.
  static const std::uint8_t kPlain[kVirtioNetHdrLen] = {};
  constexpr std::size_t kMaxRun = 64;  // coalesce_* stop at 64 segments
  std::size_t n = in.size(), ok = 0;
  views_.clear();
  for (std::size_t i = 0; i < n; ++i) views_.emplace_back(in[i].data(), in[i].size());
  std::array<iovec, kMaxRun + 2> iov;
  for (std::size_t i = 0; i < n;) {
    VirtioNetHdr h;
    std::size_t len = 0;
    auto rest = std::span(views_).subspan(i);
    std::span<std::uint8_t> headers{write_scratch_.get(), kMaxSuperPacket};
    std::size_t used = coalesce_tcp4_headers(rest, headers, h, len);
    if (used == 1 && uso_) used = coalesce_udp4_headers(rest, headers, h, len);
    std::uint8_t hdr[kVirtioNetHdrLen];
    std::size_t iovs = 0;
    if (used > 1) {
      encode_vnet_hdr(h, hdr);
      iov[iovs++] = {hdr, kVirtioNetHdrLen};
      iov[iovs++] = {write_scratch_.get(), h.hdr_len};
      for (std::size_t k = 0; k < used; ++k) {
        iov[iovs++] = {const_cast<std::uint8_t*>(rest[k].data()) + h.hdr_len,
                       rest[k].size() - h.hdr_len};
      }
      ++gro_packets_;
    } else {
      iov[iovs++] = {const_cast<std::uint8_t*>(kPlain), kVirtioNetHdrLen};
      iov[iovs++] = {in[i].data(), in[i].size()};
      len = in[i].size();
    }
    if (::writev(fd_, iov.data(), static_cast<int>(iovs)) ==
        static_cast<ssize_t>(kVirtioNetHdrLen + len)) {
      ok += used;
    }
    i += used;
  }
  in.clear();
  return ok;
}

}  // namespace vpnlab::dataplane
