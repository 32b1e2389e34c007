#include "dataplane/linux/capture.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "base/errors.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr int kReceiveBuffer = 4 << 20;  // a burst of 64 KiB TSO segments fits

std::uint64_t timestamp_of(msghdr& msg) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
    }
  }
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return std::uint64_t(now.tv_sec) * 1'000'000'000u + std::uint64_t(now.tv_nsec);
}

}  // namespace

PacketCapture::~PacketCapture() {
  for (int fd : fds_) ::close(fd);
}

Checked<std::unique_ptr<PacketCapture>> PacketCapture::open(const std::string& netns,
                                                            const std::vector<std::string>& devices,
                                                            CaptureFilter filter,
                                                            std::uint32_t snaplen) {
  if (devices.empty()) return fail(make_error_code(errc::invalid_value), "no device to capture on");
  std::unique_ptr<PacketCapture> c(new PacketCapture(devices, filter, snaplen));
  std::optional<NetnsScope> scope;
  if (!netns.empty()) {
    auto s = NetnsScope::enter(netns);
    if (!s) return Unexpected{s.error()};
    scope.emplace(std::move(*s));
  }
  for (const auto& d : devices) {
    if (auto rc = c->open_socket(d); !rc) {
      return fail(rc.error().code,
                  (netns.empty() ? "" : "namespace " + netns + ": ") + rc.error().message);
    }
  }
  c->totals_.resize(devices.size());
  return c;
}

Checked<void> PacketCapture::open_socket(const std::string& device) {
  auto sys = [&](const char* what) {
    int err = errno;
    return fail(errno_code(err), "capture on " + device + ": " + what + ": " + std::strerror(err));
  };
  unsigned index = ::if_nametoindex(device.c_str());
  if (index == 0) return sys("no such device");
  int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) return sys("AF_PACKET socket");
  fds_.push_back(fd);
  int one = 1, rcvbuf = kReceiveBuffer;
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) {
    return sys("SO_TIMESTAMPNS");
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(index);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) return sys("bind");
  // Between socket() and bind() the socket saw every device's packets: drop those.
  while (::recv(fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT) >= 0) {
  }
  tpacket_stats discard{};
  socklen_t len = sizeof discard;
  (void)::getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &discard, &len);
  return {};
}

void PacketCapture::drain(std::size_t index, const std::function<void(const CapturedPacket&)>& sink,
                          std::size_t& passed) {
  for (;;) {
    sockaddr_ll from{};
    iovec iov{buffer_.data(), buffer_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fds_[index], &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) return;  // EAGAIN: drained (other errors: nothing more to read now)
    // LINKTYPE_RAW holds IP packets only: skip ARP and the like on the veth.
    std::uint16_t proto = ntohs(from.sll_protocol);
    if (proto != ETH_P_IP && proto != ETH_P_IPV6) continue;
    std::size_t captured = std::min(static_cast<std::size_t>(n), buffer_.size());
    ByteSpan data(buffer_.data(), captured);
    if (!capture_filter_matches(filter_, data)) continue;
    CapturedPacket p;
    p.device = index;
    p.timestamp_ns = timestamp_of(msg);
    p.outgoing = from.sll_pkttype == PACKET_OUTGOING;
    p.data = data;
    p.original_length = static_cast<std::uint32_t>(n);
    sink(p);
    ++passed;
  }
}

Checked<std::size_t> PacketCapture::poll(std::chrono::milliseconds timeout,
                                         const std::function<void(const CapturedPacket&)>& sink) {
  std::vector<pollfd> pfds;
  for (int fd : fds_) pfds.push_back({fd, POLLIN, 0});
  int n = ::poll(pfds.data(), pfds.size(), static_cast<int>(timeout.count()));
  if (n < 0) {
    if (errno == EINTR) return std::size_t{0};
    int err = errno;
    return fail(errno_code(err), std::string("capture: poll: ") + std::strerror(err));
  }
  std::size_t passed = 0;
  for (std::size_t i = 0; i < pfds.size(); ++i) {
    if (pfds[i].revents & POLLIN) drain(i, sink, passed);
  }
  return passed;
}

std::vector<CaptureCounters> PacketCapture::counters() {
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    tpacket_stats s{};
    socklen_t len = sizeof s;
    // The kernel resets these on every read: keep the running totals.
    if (::getsockopt(fds_[i], SOL_PACKET, PACKET_STATISTICS, &s, &len) == 0) {
      totals_[i].received += s.tp_packets;
      totals_[i].dropped += s.tp_drops;
    }
  }
  return totals_;
}

}  // namespace vpnlab::dataplane
