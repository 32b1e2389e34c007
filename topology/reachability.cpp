#include "topology/reachability.hpp"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::topology {
namespace {

std::uint16_t checksum(const std::uint8_t* data, std::size_t len) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (len & 1) sum += data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Checked<std::chrono::microseconds> icmp_probe(const std::string& netns, Ipv4Address target,
                                              std::chrono::milliseconds timeout) {
  Fd sock;
  {
    auto scope = dataplane::NetnsScope::enter(netns);
    if (!scope) return Unexpected{scope.error()};
    sock.fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  }
  if (sock.fd < 0) {
    int err = errno;
    return fail(errno_code(err), "raw ICMP socket in " + netns + ": " + std::strerror(err));
  }
  static std::uint16_t next_id = static_cast<std::uint16_t>(getpid());
  const std::uint16_t id = ++next_id;
  std::uint8_t pkt[16] = {
      ICMP_ECHO, 0, 0, 0, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0, 1};
  std::memcpy(pkt + 8, "vpnlab!!", 8);
  std::uint16_t sum = checksum(pkt, sizeof pkt);
  pkt[2] = static_cast<std::uint8_t>(sum >> 8);
  pkt[3] = static_cast<std::uint8_t>(sum);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_addr.s_addr = htonl(target.value);
  auto start = std::chrono::steady_clock::now();
  if (::sendto(sock.fd, pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0) {
    int err = errno;
    return fail(errno_code(err), "send to " + target.to_string() + ": " + std::strerror(err));
  }
  auto deadline = start + timeout;
  std::uint8_t buf[1500];
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{sock.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) break;
    ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n < 20) continue;
    std::size_t ihl = (buf[0] & 0x0f) * 4u;
    if (static_cast<std::size_t>(n) < ihl + 8) continue;
    const std::uint8_t* icmp = buf + ihl;
    std::uint32_t src = (std::uint32_t{buf[12]} << 24) | (buf[13] << 16) | (buf[14] << 8) | buf[15];
    if (icmp[0] == ICMP_ECHOREPLY && ((icmp[4] << 8) | icmp[5]) == id && src == target.value) {
      return std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
    }
    if (icmp[0] == ICMP_DEST_UNREACH) {
      return fail(std::make_error_code(std::errc::host_unreachable),
                  target.to_string() + " unreachable from " + netns);
    }
  }
  return fail(std::make_error_code(std::errc::timed_out),
              "no echo reply from " + target.to_string() + " to " + netns + " within " +
                  std::to_string(timeout.count()) + " ms");
}

std::vector<ProbeResult> probe_public_mesh(const std::vector<GatewayPlan>& gateways,
                                           std::chrono::milliseconds timeout) {
  std::vector<ProbeResult> out;
  for (const auto& from : gateways) {
    for (const auto& to : gateways) {
      if (&from == &to) continue;
      for (auto addr : to.public_addresses) {
        ProbeResult r{from.node, addr, to.node};
        // Up to three tries: a first packet can wait on ARP on freshly created links.
        auto rtt = icmp_probe(from.netns, addr, timeout / 3);
        for (int attempt = 1; attempt < 3 && !rtt; ++attempt) {
          rtt = icmp_probe(from.netns, addr, timeout / 3);
        }
        r.ok = rtt.has_value();
        if (rtt)
          r.rtt = *rtt;
        else
          r.error = rtt.error().message;
        out.push_back(r);
      }
    }
  }
  return out;
}

}  // namespace vpnlab::topology
