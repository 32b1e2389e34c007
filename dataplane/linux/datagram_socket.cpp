#include "dataplane/linux/datagram_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "dataplane/linux/esp_socket_filter.hpp"
#include "dataplane/linux/mmsg.hpp"
#include "dataplane/linux/socket_address.hpp"

namespace vpnlab::dataplane {

namespace {

sockaddr_in to_sockaddr(const Endpoint& e) {
  return socket_address(e.address, e.port);
}

Endpoint from_sockaddr(const sockaddr_in& a) {
  return Endpoint{address_of(a), ntohs(a.sin_port)};
}

std::string describe(const Endpoint& e) {
  return e.address.to_string() + ":" + std::to_string(e.port);
}

void set_buffers(int fd) {
  // Large socket buffers absorb bursts from a TUN batch; FORCE works as root (the lab).
  int size = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  // cloud-facts: "Best practice" [A-BP]: clear DF / fragment. Outer packets may be
  // fragmented by the kernel rather than dropped when a path is smaller than expected.
  int pmtu = IP_PMTUDISC_DONT;
  ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
}

// SO_REUSEPORT before bind (UDP), or a filter that drops everything (send-only raw).
bool apply_sharing(int fd, LinuxDatagramSocket::Sharing sharing) {
  using Sharing = LinuxDatagramSocket::Sharing;
  int one = 1;
  if (sharing == Sharing::reuse_port) {
    return ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0;
  }
  if (sharing == Sharing::send_only) {
    auto drop_all = drop_all_filter();
    sock_fprog prog{static_cast<unsigned short>(drop_all.size()), drop_all.data()};
    return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0;
  }
  return true;
}

}  // namespace

bool wait_socket_writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, 10) > 0;
}

Checked<std::unique_ptr<LinuxDatagramSocket>> LinuxDatagramSocket::open(Kind kind, Endpoint local,
                                                                        std::size_t batch,
                                                                        bool offload,
                                                                        Sharing sharing) {
  int fd = kind == Kind::udp
               ? ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)
               : ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
  if (fd < 0) return fail(errno_code(errno), std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  set_buffers(fd);
  if (!apply_sharing(fd, sharing)) {
    int err = errno;
    ::close(fd);
    return fail(errno_code(err),
                "SO_REUSEPORT/SO_ATTACH_FILTER for " + describe(local) + ": " + std::strerror(err));
  }
  Endpoint bind_to = local;
  if (kind == Kind::raw_esp) bind_to.port = 0;
  sockaddr_in a = to_sockaddr(bind_to);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    int err = errno;
    ::close(fd);
    return fail(errno_code(err), "bind " + describe(bind_to) + ": " + std::strerror(err));
  }
  std::unique_ptr<LinuxDatagramSocket> s(
      new LinuxDatagramSocket(fd, kind, bind_to, batch == 0 ? 1 : batch));
  if (offload && kind == Kind::udp) s->enable_offload();
  return s;
}

LinuxDatagramSocket::LinuxDatagramSocket(int fd, Kind kind, Endpoint local, std::size_t batch)
    : fd_(fd),
      kind_(kind),
      local_(local),
      batch_(batch),
      rx_msgs_(batch),
      tx_msgs_(batch),
      rx_iov_(batch),
      tx_iov_(batch),
      rx_addr_(batch),
      tx_addr_(batch) {
  rx_bufs_.reserve(batch);
}

LinuxDatagramSocket::~LinuxDatagramSocket() {
  ::close(fd_);
}

Result<std::size_t> LinuxDatagramSocket::read_batch(PacketBatch& out, PacketPool& pool) {
  if (gro_) return read_batch_gro(out, pool);
  std::size_t want = std::min(batch_, out.capacity() - out.size());
  if (prepare_receive(pool, want, rx_bufs_, rx_msgs_.data(), rx_iov_.data(), rx_addr_.data(),
                      sizeof(sockaddr_in)) == 0) {
    return std::size_t{0};
  }
  const std::size_t got = receive_messages(fd_, rx_msgs_.data(), rx_bufs_);
  for (std::size_t i = 0; i < got; ++i) {
    PooledPacket& p = rx_bufs_[i];
    if (rx_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than a buffer: drop
    p->set_size(rx_msgs_[i].msg_len);
    p->peer = from_sockaddr(rx_addr_[i]);
    if (kind_ == Kind::raw_esp) strip_ip_header(*p);
    out.push(std::move(p));
  }
  rx_bufs_.clear();  // unused buffers go back to the pool
  return got;
}

void LinuxDatagramSocket::strip_ip_header(PacketBuf& p) const {
  // raw(7): IPv4 raw sockets receive the IP header. RFC 791: IHL in 32-bit words.
  std::uint32_t ihl = p.size() > 0 ? (p.data()[0] & 0x0fu) * 4u : 0u;
  if (ihl < 20 || !p.pull_front(ihl)) p.set_size(0);  // counted as too_short later
  p.peer.port = 0;
}

Result<std::size_t> LinuxDatagramSocket::write_batch(PacketBatch& in) {
  if (gso_) return write_batch_gso(in);
  std::size_t sent_total = 0, n = in.size();
  for (std::size_t at = 0; at < n;) {
    std::size_t chunk = std::min(batch_, n - at);
    for (std::size_t i = 0; i < chunk; ++i) {
      PacketBuf& p = in[at + i];
      tx_addr_[i] = to_sockaddr(p.peer);
      prepare_send(tx_msgs_[i], tx_iov_[i], p.data(), p.size(), &tx_addr_[i], sizeof(sockaddr_in));
    }
    sent_total += send_messages(fd_, tx_msgs_.data(), chunk);
    at += chunk;
  }
  in.clear();
  return sent_total;
}

Result<void> LinuxDatagramSocket::send_control(const Endpoint& peer, ByteSpan payload) {
  sockaddr_in a = to_sockaddr(peer);
  if (::sendto(fd_, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) <
      0) {
    return Unexpected{errno_code(errno)};
  }
  return {};
}

}  // namespace vpnlab::dataplane
