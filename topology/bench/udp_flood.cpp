#include "topology/bench/udp_flood.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "dataplane/linux/netns.hpp"
#include "dataplane/linux/socket_address.hpp"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace vpnlab::topology::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBatch = 64;  // datagrams per send message (UDP_SEGMENT) or messages per call
constexpr int kMaxSegmentedBytes = 65000;  // one UDP_SEGMENT send: at most 64 KiB of payload

Unexpected<Error> sys_error(const std::string& what) {
  return fail(std::error_code(errno, std::generic_category()), what + ": " + std::strerror(errno));
}

/// A UDP socket created in `netns` (the caller's namespace when empty).
Checked<int> udp_socket_in(const std::string& netns) {
  std::optional<dataplane::NetnsScope> scope;
  if (!netns.empty()) {
    auto s = dataplane::NetnsScope::enter(netns);
    if (!s) return Unexpected{s.error()};
    scope.emplace(std::move(*s));
  }
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_error("udp socket in " + (netns.empty() ? "this namespace" : netns));
  return fd;
}

/// How many datagrams one read carried: a coalesced read says its segment size (UDP_GRO).
std::uint64_t datagrams_in(mmsghdr& m) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&m.msg_hdr); c; c = CMSG_NXTHDR(&m.msg_hdr, c)) {
    if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO) continue;
    int segment = 0;
    std::memcpy(&segment, CMSG_DATA(c), sizeof segment);
    if (segment > 0) return (m.msg_len + segment - 1) / static_cast<unsigned>(segment);
  }
  return 1;
}

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

Checked<UdpFloodSender> UdpFloodSender::open(const std::string& netns, Ipv4Address dst,
                                             std::uint16_t port, int payload,
                                             bool segment_offload) {
  if (payload < 1 || payload > 1472) {
    return fail(std::make_error_code(std::errc::invalid_argument),
                "UDP flood payload " + std::to_string(payload) + " bytes: want 1-1472");
  }
  auto fd = udp_socket_in(netns);
  if (!fd) return Unexpected{fd.error()};
  sockaddr_in to = dataplane::socket_address(dst, port);
  if (::connect(*fd, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
    auto e = sys_error("UDP flood to " + dst.to_string() + ":" + std::to_string(port));
    ::close(*fd);
    return e;
  }
  return UdpFloodSender(*fd, payload, segment_offload);
}

UdpFloodSender::UdpFloodSender(UdpFloodSender&& o) noexcept
    : fd_(o.fd_), payload_(o.payload_), segment_offload_(o.segment_offload_) {
  o.fd_ = -1;
}

UdpFloodSender::~UdpFloodSender() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t UdpFloodSender::run(double seconds, double pps) {
  // Segmented: a few messages of up to kBatch datagrams each (64 KiB at most per message);
  // else kBatch messages of one datagram.
  const int per_msg = segment_offload_ ? std::min(kBatch, kMaxSegmentedBytes / payload_) : 1;
  const int nmsgs = segment_offload_ ? 8 : kBatch;
  std::vector<char> payload(static_cast<std::size_t>(payload_ * per_msg), 'x');
  std::vector<iovec> iov(nmsgs, iovec{payload.data(), payload.size()});
  std::vector<mmsghdr> msgs(nmsgs);
  std::vector<char> control(nmsgs * CMSG_SPACE(sizeof(std::uint16_t)));
  for (int i = 0; i < nmsgs; ++i) {
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (!segment_offload_) continue;
    msgs[i].msg_hdr.msg_control = &control[i * CMSG_SPACE(sizeof(std::uint16_t))];
    msgs[i].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
    cmsghdr* cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
    const auto segment = static_cast<std::uint16_t>(payload_);
    std::memcpy(CMSG_DATA(cm), &segment, sizeof segment);
  }
  // Paced, one message per call: a burst of at most 64 KiB, so what a policer downstream sees
  // is the offered rate, not 8 messages at once and then a pause (its burst tolerance is
  // 5 ms; the gateway's TUN queue is shorter still).
  const auto per_call = static_cast<unsigned>(pps > 0 ? 1 : nmsgs);
  const auto start = Clock::now();
  std::uint64_t sent = 0;
  while (since(start) < seconds) {
    if (pps > 0 && static_cast<double>(sent) > pps * since(start)) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));  // ahead of the pace
      continue;
    }
    int n = ::sendmmsg(fd_, msgs.data(), per_call, 0);
    if (n > 0) sent += static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(per_msg);
  }
  return sent;
}

Checked<UdpFloodReceiver> UdpFloodReceiver::open(const std::string& netns, std::uint16_t port) {
  auto fd = udp_socket_in(netns);
  if (!fd) return Unexpected{fd.error()};
  int size = 32 << 20;  // a burst the counter is late for stays queued, not lost here
  if (::setsockopt(*fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
    ::setsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  // UDP_GRO: a super-packet that crosses the lab whole (a gateway writes UDP super-packets
  // into its TUN, TUN_F_USO4) is read whole, with its segment size, not split per datagram.
  int one = 1;
  ::setsockopt(*fd, SOL_UDP, UDP_GRO, &one, sizeof one);
  sockaddr_in any = dataplane::socket_address(Ipv4Address{}, port);
  if (::bind(*fd, reinterpret_cast<sockaddr*>(&any), sizeof any) < 0) {
    auto e = sys_error("UDP flood receiver on port " + std::to_string(port));
    ::close(*fd);
    return e;
  }
  return UdpFloodReceiver(*fd);
}

UdpFloodReceiver::UdpFloodReceiver(UdpFloodReceiver&& o) noexcept : fd_(o.fd_) {
  o.fd_ = -1;
}

UdpFloodReceiver::~UdpFloodReceiver() {
  if (fd_ >= 0) ::close(fd_);
}

FloodCount UdpFloodReceiver::receive(std::chrono::duration<double> span,
                                     std::chrono::duration<double> give_up) {
  constexpr std::size_t kSlot = 65536;
  std::vector<char> buffers(kBatch * kSlot);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  std::vector<char> control(kBatch * CMSG_SPACE(sizeof(int)));
  FloodCount count;
  const auto start = Clock::now();
  Clock::time_point first{}, last{};
  for (;;) {
    if (count.datagrams == 0 && Clock::now() - start > give_up) break;
    if (count.datagrams > 0 && Clock::now() - first > span) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = iovec{buffers.data() + i * kSlot, kSlot};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = &control[i * CMSG_SPACE(sizeof(int))];
      msgs[i].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(int));
    }
    int n = ::recvmmsg(fd_, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) continue;
    if (count.datagrams == 0) first = Clock::now();
    last = Clock::now();
    for (int i = 0; i < n; ++i) {
      count.bytes += msgs[i].msg_len;
      count.datagrams += datagrams_in(msgs[i]);
    }
  }
  count.seconds = count.datagrams > 1 ? std::chrono::duration<double>(last - first).count() : 0;
  return count;
}

Checked<FloodResult> run_udp_flood(const std::string& from_netns, const std::string& to_netns,
                                   Ipv4Address dst, std::uint16_t port, int payload, double pps,
                                   double seconds) {
  auto receiver = UdpFloodReceiver::open(to_netns, port);
  if (!receiver) return Unexpected{receiver.error()};
  auto sender = UdpFloodSender::open(from_netns, dst, port, payload, true);
  if (!sender) return Unexpected{sender.error()};
  FloodResult r;
  // The receiver counts a little past the sender's end, so what is still queued in the lab
  // is counted, not lost.
  std::thread counter([&] {
    r.received = receiver->receive(std::chrono::duration<double>(seconds + 0.5),
                                   std::chrono::duration<double>(seconds + 5));
  });
  r.sent = sender->run(seconds, pps);
  counter.join();
  return r;
}

}  // namespace vpnlab::topology::bench
