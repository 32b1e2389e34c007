// TUN offloads (IFF_VNET_HDR + TUNSETOFFLOAD), the wireguard-go tun/offload_linux.go idea:
// the kernel hands the tunnel TCP super-packets of up to 64 KiB (one read instead of ~45)
// which we cut into MSS-sized segments here, so the core still sees plain packets; every
// read and write carries a virtio_net_hdr (virtio_net_hdr.hpp).

#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dataplane/linux/tun_device.hpp"
#include "dataplane/linux/virtio_net_hdr.hpp"

namespace vpnlab::dataplane {

namespace {

constexpr std::size_t kMaxSuperPacket = 65535 + kVirtioNetHdrLen;
// Room kept free in the batch before reading another super-packet: 64 KiB at MSS >= 1024.
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
  // Checksum offload is a precondition of TSO (tun.c set_offload).
  unsigned flags = TUN_F_CSUM | TUN_F_TSO4;
  if (::ioctl(fd_, TUNSETOFFLOAD, flags) < 0) return false;
  scratch_ = std::make_unique<std::uint8_t[]>(kMaxSuperPacket);
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
    if (type == VirtioNetHdr::kGsoTcpV4) {
      int n = gso_split_tcp4(h, pkt, sink);
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
  // Every write starts with a virtio_net_hdr; ours says "complete packet, no GSO".
  static const std::uint8_t kPlain[kVirtioNetHdrLen] = {};
  std::size_t ok = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    iovec iov[2] = {{const_cast<std::uint8_t*>(kPlain), kVirtioNetHdrLen},
                    {in[i].data(), in[i].size()}};
    ssize_t want = static_cast<ssize_t>(kVirtioNetHdrLen + in[i].size());
    if (::writev(fd_, iov, 2) == want) ++ok;
  }
  in.clear();
  return ok;
}

}  // namespace vpnlab::dataplane
