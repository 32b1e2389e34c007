#include "dataplane/linux/packet_socket.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/errors.hpp"
#include "dataplane/linux/datagram_socket.hpp"
#include "dataplane/linux/esp_frame.hpp"
#include "dataplane/linux/esp_socket_filter.hpp"
#include "dataplane/linux/mmsg.hpp"

namespace vpnlab::dataplane {
namespace {

Unexpected<Error> sys_fail(const std::string& what, Ipv4Address local) {
  int err = errno;
  return fail(errno_code(err), "AF_PACKET ESP socket for " + local.to_string() + ": " + what +
                                   ": " + std::strerror(err));
}

// Filter first, then bind with the protocol: a packet socket created with protocol 0
// receives nothing until bind, so no frame gets past the filter in between.
bool attach_filter(int fd, Ipv4Address local) {
  auto prog = esp_socket_filter(local);
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0;
}

bool set_options(int fd, const PacketEspSocket::Options& o) {
  int one = 1, size = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  // Our own sends (and the kernel's) are not ours to receive.
  if (::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0) return false;
  if (o.qdisc_bypass && ::setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0) {
    return false;
  }
  return true;
}

bool bind_device(int fd, int ifindex) {
  sockaddr_ll a{};
  a.sll_family = AF_PACKET;
  a.sll_protocol = htons(ETH_P_ALL);  // taps run before the ingress hook that drops ESP
  a.sll_ifindex = ifindex;
  return ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

// Linux 6.2 added it (uapi value 0x4000); Debian 12's headers do not name it.
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000
#endif

bool join_fanout(int fd, std::uint16_t group) {
  // Hash on the flow (outer addresses): one peer's packets stay on one lane, in order;
  // DEFRAG reassembles outer fragments before the hash (and before our filter). A group
  // has one tap of its own, which ignores the socket's PACKET_IGNORE_OUTGOING: without the
  // group flag every packet the namespace sends would be cloned to it (kernels before 6.2
  // refuse the flag: then join without it, the filter drops those clones).
  int flags = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
  int arg = group | ((flags | PACKET_FANOUT_FLAG_IGNORE_OUTGOING) << 16);
  if (::setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) == 0) return true;
  if (errno != EINVAL) return false;
  arg = group | (flags << 16);
  return ::setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) == 0;
}

// Maps the ring `mode` asks for (before bind: the version cannot change after).
Checked<void> map_ring(int fd, PacketRxMode mode, std::optional<PacketRxRing>& v3,
                       std::optional<PacketRxRingV2>& v2) {
  if (mode == PacketRxMode::ring_v3) {
    auto r = PacketRxRing::map(fd, PacketRxRing::Geometry{});
    if (!r) return Unexpected{r.error()};
    v3.emplace(std::move(*r));
  } else if (mode == PacketRxMode::ring_v2) {
    auto r = PacketRxRingV2::map(fd, PacketRxRingV2::Geometry{});
    if (!r) return Unexpected{r.error()};
    v2.emplace(std::move(*r));
  }
  return {};
}

}  // namespace

const char* packet_rx_mode_name(PacketRxMode m) {
  switch (m) {
    case PacketRxMode::ring_v3:
      return "v3";
    case PacketRxMode::ring_v2:
      return "v2";
    case PacketRxMode::recvmmsg:
      return "recvmmsg";
  }
  return "v3";
}

std::optional<PacketRxMode> parse_packet_rx_mode(std::string_view name) {
  for (PacketRxMode m : {PacketRxMode::ring_v3, PacketRxMode::ring_v2, PacketRxMode::recvmmsg}) {
    if (name == packet_rx_mode_name(m)) return m;
  }
  return std::nullopt;
}

Checked<std::unique_ptr<PacketEspSocket>> PacketEspSocket::open(Ipv4Address local,
                                                                Options options) {
  auto hops = NextHopCache::open();
  if (!hops) return Unexpected{hops.error()};
  // The kernel path for what the packet socket cannot send; it must not receive (raw(7):
  // it would get a copy of every ESP packet the ingress hook lets through).
  auto raw = LinuxDatagramSocket::open(LinuxDatagramSocket::Kind::raw_esp, {local, 0}, 1, false,
                                       LinuxDatagramSocket::Sharing::send_only);
  if (!raw) return Unexpected{raw.error()};
  int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_fail("socket", local);
  const char* step = nullptr;
  std::optional<PacketRxRing> ring;
  std::optional<PacketRxRingV2> ring_v2;
  if (!attach_filter(fd, local)) {
    step = "SO_ATTACH_FILTER";
  } else if (!set_options(fd, options)) {
    step = "PACKET_IGNORE_OUTGOING/QDISC_BYPASS";
  } else if (auto mapped = map_ring(fd, options.rx_mode, ring, ring_v2); !mapped) {
    ::close(fd);
    return fail(mapped.error().code,
                "AF_PACKET ESP socket for " + local.to_string() + ": " + mapped.error().message);
  }
  if (step != nullptr) {
  } else if (!bind_device(fd, options.ifindex)) {
    step = "bind ETH_P_ALL";
  } else if (!join_fanout(fd, options.fanout_group)) {
    step = "PACKET_FANOUT";
  }
  if (step != nullptr) {
    auto e = sys_fail(step, local);
    ::close(fd);
    return e;
  }
  // The raw socket's descriptor moves to this object (its LinuxDatagramSocket is dropped).
  int raw_fd = ::dup((*raw)->fd());
  if (raw_fd < 0) {
    auto e = sys_fail("dup", local);
    ::close(fd);
    return e;
  }
  std::size_t batch = options.batch == 0 ? 1 : options.batch;
  return std::unique_ptr<PacketEspSocket>(new PacketEspSocket(
      fd, raw_fd, local, batch, std::move(*hops), std::move(ring), std::move(ring_v2)));
}

PacketEspSocket::PacketEspSocket(int fd, int raw_fd, Ipv4Address local, std::size_t batch,
                                 NextHopCache hops, std::optional<PacketRxRing> ring,
                                 std::optional<PacketRxRingV2> ring_v2)
    : fd_(fd),
      raw_fd_(raw_fd),
      local_(local),
      batch_(batch),
      hops_(std::move(hops)),
      ring_(std::move(ring)),
      ring_v2_(std::move(ring_v2)),
      rx_msgs_(batch),
      tx_msgs_(batch),
      rx_iov_(batch),
      tx_iov_(batch),
      tx_addr_(batch) {
  rx_bufs_.reserve(batch);
}

PacketEspSocket::~PacketEspSocket() {
  ring_.reset();  // unmap before the socket goes
  ring_v2_.reset();
  ::close(fd_);
  ::close(raw_fd_);
}

// Frames from a ring: only the ESP packet is copied out (the ring keeps the header).
template <typename Ring>
Result<std::size_t> PacketEspSocket::read_ring(Ring& ring, PacketBatch& out, PacketPool& pool) {
  std::size_t want = std::min(batch_, out.capacity() - out.size());
  std::uint64_t taken = 0, bad = 0;
  std::size_t n = ring.read(want, [&](std::span<const std::uint8_t> bytes, bool truncated) {
    auto parsed = truncated ? EspFrameResult{} : parse_esp_frame(bytes);
    if (!parsed.frame) {
      ++bad;
      return true;
    }
    PooledPacket p = pool.acquire();
    if (!p) return false;  // the pool is dry: the frame waits in the ring
    const std::uint32_t len = parsed.frame->payload_len;
    auto room = p->writable();
    if (len > room.size()) {
      ++bad;
      return true;
    }
    std::memcpy(room.data(), bytes.data() + parsed.frame->header_len, len);
    p->set_size(len);
    p->peer = Endpoint{parsed.frame->src, 0};
    out.push(std::move(p));
    ++taken;
    return true;
  });
  counters_.rx_frames.fetch_add(taken, std::memory_order_relaxed);
  if (bad != 0) counters_.rx_malformed.fetch_add(bad, std::memory_order_relaxed);
  return n;
}

Result<std::size_t> PacketEspSocket::read_batch(PacketBatch& out, PacketPool& pool) {
  if (ring_v2_) return read_ring(*ring_v2_, out, pool);
  if (ring_) return read_ring(*ring_, out, pool);
  std::size_t want = std::min(batch_, out.capacity() - out.size());
  if (prepare_receive(pool, want, rx_bufs_, rx_msgs_.data(), rx_iov_.data(), nullptr, 0) == 0) {
    return std::size_t{0};
  }
  const std::size_t got = receive_messages(fd_, rx_msgs_.data(), rx_bufs_);
  std::uint64_t taken = 0;
  for (std::size_t i = 0; i < got; ++i) {
    PooledPacket& p = rx_bufs_[i];
    if (rx_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than a buffer: drop
    p->set_size(rx_msgs_[i].msg_len);
    auto parsed = parse_esp_frame(p->bytes());
    if (!parsed.frame) {
      counters_.rx_malformed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    // The IPv4 total length decides: a short frame may carry link-layer padding.
    p->set_size(parsed.frame->header_len + parsed.frame->payload_len);
    p->pull_front(parsed.frame->header_len);
    p->peer = Endpoint{parsed.frame->src, 0};
    out.push(std::move(p));
    ++taken;
  }
  counters_.rx_frames.fetch_add(taken, std::memory_order_relaxed);
  rx_bufs_.clear();  // unused buffers go back to the pool
  return got;
}

// Puts the outer IPv4 header in front of the ESP packet and fills message `slot`; false if
// this packet must go through the kernel instead.
bool PacketEspSocket::frame(PacketBuf& p, const NextHop4& hop, std::size_t slot) {
  if (!hop.usable || hop.confirm || p.size() + kIpv4HeaderLen > hop.mtu) return false;
  const auto payload = static_cast<std::uint16_t>(p.size());
  auto header = p.push_front(kIpv4HeaderLen);
  if (header.empty()) return false;
  write_esp_ipv4_header(header.first<kIpv4HeaderLen>(), local_, p.peer.address, payload, ip_id_++);
  sockaddr_ll& a = tx_addr_[slot];
  a = sockaddr_ll{};
  a.sll_family = AF_PACKET;
  a.sll_protocol = htons(ETH_P_IP);
  a.sll_ifindex = hop.ifindex;
  a.sll_halen = hop.lladdr_len;
  std::memcpy(a.sll_addr, hop.lladdr.data(), std::min<std::size_t>(hop.lladdr_len, 8));
  prepare_send(tx_msgs_[slot], tx_iov_[slot], p.data(), p.size(), &a, sizeof a);
  return true;
}

bool PacketEspSocket::send_through_kernel(PacketBuf& p) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(p.peer.address.value);
  if (::sendto(raw_fd_, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    return false;
  }
  counters_.tx_kernel.fetch_add(1, std::memory_order_relaxed);
  return true;
}

Result<std::size_t> PacketEspSocket::write_batch(PacketBatch& in) {
  const auto now = NextHopCache::Clock::now();
  std::size_t sent_total = 0, n = in.size(), at = 0;
  while (at < n) {
    std::size_t chunk = std::min(batch_, n - at), ready = 0;
    for (std::size_t i = 0; i < chunk; ++i) {
      PacketBuf& p = in[at + i];
      NextHop4& hop = hops_.lookup(p.peer.address, now);
      if (frame(p, hop, ready)) {
        ++ready;
        continue;
      }
      // Through the kernel: it resolves or confirms the neighbour (then the packet socket
      // takes over at the next refresh), or fragments.
      hop.confirm = false;
      if (send_through_kernel(p)) ++sent_total;
    }
    std::size_t sent = send_messages(fd_, tx_msgs_.data(), ready);
    counters_.tx_frames.fetch_add(sent, std::memory_order_relaxed);
    sent_total += sent;
    at += chunk;
  }
  in.clear();
  return sent_total;
}

Result<void> PacketEspSocket::send_control(const Endpoint&, ByteSpan) {
  return Unexpected{make_error_code(errc::unsupported)};
}

}  // namespace vpnlab::dataplane
