// UDP segmentation offloads for ESP in UDP (udp(7) UDP_SEGMENT and UDP_GRO, Linux 4.18/5.0):
//
//   send: a run of datagrams to one peer with equal sizes (the last may be shorter) goes out
//         as ONE sendmmsg message whose iovecs are the packet buffers, with a UDP_SEGMENT
//         control message giving the size: the stack is traversed once per run, not once
//         per datagram, and nothing is copied in userspace.
//   recv: with UDP_GRO the kernel hands us coalesced datagrams of equal size in one buffer
//         (size in a UDP_GRO control message); we cut them into pool buffers, so the core
//         still sees one ESP packet per PacketBuf.

#include <arpa/inet.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "dataplane/linux/datagram_socket.hpp"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace vpnlab::dataplane {

namespace {
constexpr std::size_t kGroBuffers = 8;
constexpr std::size_t kGroBufferSize = 65536;
constexpr std::size_t kMaxSegments = 64;     // UDP_MAX_SEGMENTS on older kernels
constexpr std::size_t kMaxGsoBytes = 65000;  // below the 64 KiB IP datagram limit
constexpr std::size_t kCmsgSpace = CMSG_SPACE(sizeof(int));
constexpr std::size_t kMaxSendPackets = 1024;
}  // namespace

void LinuxDatagramSocket::enable_offload() {
  int zero = 0, one = 1;
  // Probing with size 0 leaves sends unsegmented unless a message asks for it.
  gso_ = ::setsockopt(fd_, SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) == 0;
  gro_ = ::setsockopt(fd_, SOL_UDP, UDP_GRO, &one, sizeof one) == 0;
  rx_cmsg_.assign(kGroBuffers * kCmsgSpace, 0);
  tx_cmsg_.assign(batch_ * kCmsgSpace, 0);
  if (gro_) gro_bufs_ = std::make_unique<std::uint8_t[]>(kGroBuffers * kGroBufferSize);
  if (gso_) {
    gso_iov_.resize(kMaxSendPackets);
    gso_count_.resize(batch_);
  }
}

Result<std::size_t> LinuxDatagramSocket::write_batch_gso(PacketBatch& in) {
  std::size_t n = in.size(), at = 0, sent_total = 0;
  int retries = 0;
  while (at < n) {
    // Build up to batch_ messages, each a run of same-peer, same-size datagrams.
    std::size_t msgs = 0, iov_used = 0, next = at;
    while (next < n && msgs < batch_ && iov_used < kMaxSendPackets) {
      const Endpoint peer = in[next].peer;
      std::size_t size = in[next].size(), count = 0, bytes = 0;
      std::size_t first_iov = iov_used;
      while (next < n && count < kMaxSegments && iov_used < kMaxSendPackets) {
        std::size_t s = in[next].size();
        if (in[next].peer != peer || s > size || bytes + s > kMaxGsoBytes) break;
        gso_iov_[iov_used++] = iovec{in[next].data(), s};
        bytes += s;
        ++count;
        ++next;
        if (s < size) break;  // a shorter datagram ends the run (UDP_SEGMENT rule)
      }
      mmsghdr& m = tx_msgs_[msgs];
      m = mmsghdr{};
      tx_addr_[msgs] = sockaddr_in{};
      tx_addr_[msgs].sin_family = AF_INET;
      tx_addr_[msgs].sin_addr.s_addr = htonl(peer.address.value);
      tx_addr_[msgs].sin_port = htons(peer.port);
      m.msg_hdr.msg_name = &tx_addr_[msgs];
      m.msg_hdr.msg_namelen = sizeof(sockaddr_in);
      m.msg_hdr.msg_iov = &gso_iov_[first_iov];
      m.msg_hdr.msg_iovlen = count;
      if (count > 1) {
        std::uint8_t* c = &tx_cmsg_[msgs * kCmsgSpace];
        std::memset(c, 0, kCmsgSpace);
        m.msg_hdr.msg_control = c;
        m.msg_hdr.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
        cmsghdr* cm = CMSG_FIRSTHDR(&m.msg_hdr);
        cm->cmsg_level = SOL_UDP;
        cm->cmsg_type = UDP_SEGMENT;
        cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
        std::uint16_t seg = static_cast<std::uint16_t>(size);
        std::memcpy(CMSG_DATA(cm), &seg, sizeof seg);
      }
      gso_count_[msgs++] = static_cast<std::uint32_t>(count);
    }
    int sent = ::sendmmsg(fd_, tx_msgs_.data(), static_cast<unsigned>(msgs), 0);
    if (sent < 0 && (errno == EAGAIN || errno == ENOBUFS) && ++retries < 100 &&
        wait_socket_writable(fd_)) {
      continue;
    }
    if (sent < 0 && errno == EIO) {
      gso_ = false;  // the device cannot segment: plain sends from now on
      PacketBatch rest(n - at);
      for (std::size_t i = at; i < n; ++i) rest.push(std::move(in.slot(i)));
      in.clear();
      auto r = write_batch(rest);
      return sent_total + (r ? *r : 0);
    }
    if (sent <= 0) {
      at += gso_count_[0];  // the first message failed: drop its run, keep the rest
      continue;
    }
    for (int i = 0; i < sent; ++i) {
      sent_total += gso_count_[static_cast<std::size_t>(i)];
      at += gso_count_[static_cast<std::size_t>(i)];
    }
  }
  in.clear();
  return sent_total;
}

Result<std::size_t> LinuxDatagramSocket::read_batch_gro(PacketBatch& out, PacketPool& pool) {
  std::size_t room = out.capacity() - out.size();
  // Each coalesced buffer may hold ~45 full-size datagrams: only ask for what fits.
  std::size_t want = std::min(kGroBuffers, std::max<std::size_t>(1, room / 45));
  for (std::size_t i = 0; i < want; ++i) {
    rx_iov_[i] = iovec{gro_bufs_.get() + i * kGroBufferSize, kGroBufferSize};
    rx_msgs_[i] = mmsghdr{};
    rx_msgs_[i].msg_hdr.msg_iov = &rx_iov_[i];
    rx_msgs_[i].msg_hdr.msg_iovlen = 1;
    rx_msgs_[i].msg_hdr.msg_name = &rx_addr_[i];
    rx_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    rx_msgs_[i].msg_hdr.msg_control = &rx_cmsg_[i * kCmsgSpace];
    rx_msgs_[i].msg_hdr.msg_controllen = kCmsgSpace;
  }
  int got = ::recvmmsg(fd_, rx_msgs_.data(), static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
  if (got <= 0) return std::size_t{0};
  std::size_t before = out.size();
  for (int i = 0; i < got; ++i) split_gro(static_cast<std::size_t>(i), out, pool);
  return out.size() - before;
}

std::size_t LinuxDatagramSocket::split_gro(std::size_t i, PacketBatch& out, PacketPool& pool) {
  msghdr& h = rx_msgs_[i].msg_hdr;
  std::size_t len = rx_msgs_[i].msg_len, seg = len;
  for (cmsghdr* cm = CMSG_FIRSTHDR(&h); cm != nullptr; cm = CMSG_NXTHDR(&h, cm)) {
    if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
      int v = 0;
      std::memcpy(&v, CMSG_DATA(cm), sizeof v);
      if (v > 0) seg = static_cast<std::size_t>(v);
    }
  }
  if (seg < len) ++gro_datagrams_;
  Endpoint peer{Ipv4Address{ntohl(rx_addr_[i].sin_addr.s_addr)}, ntohs(rx_addr_[i].sin_port)};
  const std::uint8_t* base = static_cast<const std::uint8_t*>(rx_iov_[i].iov_base);
  std::size_t made = 0;
  for (std::size_t off = 0; off < len; off += seg) {
    std::size_t n = std::min(seg, len - off);
    PooledPacket p = out.full() ? PooledPacket(nullptr, PacketReturner{&pool}) : pool.acquire();
    if (!p || n > p->writable().size()) {
      ++gro_overflow_;
      continue;
    }
    std::memcpy(p->data(), base + off, n);
    p->set_size(static_cast<std::uint32_t>(n));
    p->peer = peer;
    out.push(std::move(p));
    ++made;
  }
  if (seg < len) gro_segments_ += made;
  return made;
}

}  // namespace vpnlab::dataplane
