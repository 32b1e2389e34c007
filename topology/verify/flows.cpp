#include "topology/verify/flows.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <vector>

#include "base/errors.hpp"
#include "dataplane/linux/netns.hpp"
#include "dataplane/linux/socket_address.hpp"

namespace vpnlab::topology::verify {
namespace {

// A UDP socket bound inside netns (sockets keep the namespace they were opened in).
Checked<int> bound_socket(const std::string& netns, Ipv4Address a, std::uint16_t port) {
  auto scope = dataplane::NetnsScope::enter(netns);
  if (!scope) return Unexpected{scope.error()};
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail(std::error_code(errno, std::generic_category()), "socket in " + netns);
  sockaddr_in sa = dataplane::socket_address(a, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    auto ec = std::error_code(errno, std::generic_category());
    ::close(fd);
    return fail(ec, "bind " + a.to_string() + ":" + std::to_string(port) + " in " + netns);
  }
  return fd;
}

struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds) ::close(fd);
  }
};

}  // namespace

Checked<FlowResult> run_flows(const FlowEnd& from, const FlowEnd& to, std::uint16_t port, int flows,
                              int per_flow, std::chrono::milliseconds wait) {
  Fds owned;
  auto echo = bound_socket(to.netns, to.address, port);
  if (!echo) return Unexpected{echo.error()};
  owned.fds.push_back(*echo);
  for (int i = 0; i < flows; ++i) {
    auto fd = bound_socket(from.netns, from.address, 0);
    if (!fd) return Unexpected{fd.error()};
    owned.fds.push_back(*fd);
  }
  sockaddr_in dst = dataplane::socket_address(to.address, port);
  for (int n = 0; n < per_flow; ++n) {
    for (int i = 1; i <= flows; ++i) {
      std::uint32_t tag = htonl(static_cast<std::uint32_t>(i));
      ::sendto(owned.fds[i], &tag, sizeof tag, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    }
  }
  std::set<int> arrived, echoed;
  std::vector<pollfd> pfds;
  for (int fd : owned.fds) pfds.push_back({fd, POLLIN, 0});
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (static_cast<int>(echoed.size()) < flows && std::chrono::steady_clock::now() < deadline) {
    if (::poll(pfds.data(), pfds.size(), 20) <= 0) continue;
    std::uint32_t tag = 0;
    sockaddr_in src{};
    socklen_t len = sizeof src;
    // The far end echoes every datagram to where it came from (its flow's port).
    while (::recvfrom(owned.fds[0], &tag, sizeof tag, 0, reinterpret_cast<sockaddr*>(&src), &len) ==
           static_cast<ssize_t>(sizeof tag)) {
      arrived.insert(static_cast<int>(ntohl(tag)));
      ::sendto(owned.fds[0], &tag, sizeof tag, 0, reinterpret_cast<sockaddr*>(&src), len);
      len = sizeof src;
    }
    for (int i = 1; i <= flows; ++i) {
      while (::recv(owned.fds[i], &tag, sizeof tag, 0) == static_cast<ssize_t>(sizeof tag))
        echoed.insert(i);
    }
  }
  return FlowResult{flows, per_flow, static_cast<int>(arrived.size()),
                    static_cast<int>(echoed.size())};
}

}  // namespace vpnlab::topology::verify
