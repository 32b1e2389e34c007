#include "tests/interop/ike/traffic_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "base/bytes.hpp"
#include "tests/interop/ike/charon_peer.hpp"

namespace vpnlab::ike::test {
namespace {

constexpr int kEchoDeadlineMs = 3000;  // generous: a busy 2-core machine, not a timing check
constexpr int kIdlePollMs = 100;
constexpr int kPollMs = 10;
constexpr std::size_t kWindow = 8;

sockaddr_in address(const std::string& ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

int udp_socket_in(const std::string& netns, const std::string& ip, std::uint16_t port) {
  ScopedNetns in(netns);
  if (!in.ok()) return -1;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = address(ip, port);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

}  // namespace

UdpEchoProbe::UdpEchoProbe(const std::string& client_netns, const std::string& client_address,
                           const std::string& server_netns, const std::string& server_address,
                           std::uint16_t port)
    : server_address_(server_address), port_(port) {
  client_fd_ = udp_socket_in(client_netns, client_address, 0);
  server_fd_ = udp_socket_in(server_netns, server_address, port);
}

UdpEchoProbe::~UdpEchoProbe() {
  stop();
  if (client_fd_ >= 0) ::close(client_fd_);
  if (server_fd_ >= 0) ::close(server_fd_);
}

void UdpEchoProbe::start() {
  server_ = std::thread([this] { run_server(); });
  client_ = std::thread([this] { run_client(); });
}

void UdpEchoProbe::stop() {
  stop_ = true;  // the client drains its window while the echo side keeps answering
  if (client_.joinable()) client_.join();
  server_stop_ = true;
  if (server_.joinable()) server_.join();
}

void UdpEchoProbe::run_server() {
  std::uint8_t buf[64];
  while (!server_stop_) {
    if (!readable(server_fd_, kIdlePollMs)) continue;
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n =
        ::recvfrom(server_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n > 0) {
      ++served_;
      ::sendto(server_fd_, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
               len);
    }
  }
}

// Up to kWindow datagrams in flight; each is pending until its echo arrives. When no echo
// arrives for kEchoDeadlineMs, every pending one is counted lost. After stop(), the pending
// ones get the same deadline to drain.
void UdpEchoProbe::run_client() {
  sockaddr_in to = address(server_address_, port_);
  enum : std::uint8_t { pending, echoed, lost };
  std::vector<std::uint8_t> state{echoed};  // index = sequence number; 0 is unused
  std::size_t in_flight = 0;
  int quiet_ms = 0;
  while (!(stop_ && in_flight == 0) && !(stop_ && quiet_ms >= kEchoDeadlineMs)) {
    while (!stop_ && in_flight < kWindow) {
      std::uint8_t out[4];
      store_be32(out, static_cast<std::uint32_t>(state.size()));
      state.push_back(pending);
      ::sendto(client_fd_, out, sizeof out, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      ++sent_;
      ++in_flight;
    }
    // Block only with a full window (or when draining); then take every echo queued.
    int wait_ms = in_flight >= kWindow || stop_ ? kPollMs : 0;
    bool progress = false;
    for (bool more = readable(client_fd_, wait_ms); more; more = readable(client_fd_, 0)) {
      std::uint8_t in[64];
      ssize_t n = ::recv(client_fd_, in, sizeof in, 0);
      std::uint32_t seq = n == 4 ? load_be32(in) : 0;
      if (seq == 0 || seq >= state.size() || state[seq] != pending) continue;  // late or junk
      state[seq] = echoed;
      --in_flight;
      ++received_;
      progress = true;
    }
    if (wait_ms == 0 && !progress) continue;  // window not full: keep sending
    quiet_ms = progress ? 0 : quiet_ms + kPollMs;
    if (quiet_ms >= kEchoDeadlineMs && in_flight > 0) {
      for (std::size_t seq = 0; seq < state.size(); ++seq) {
        if (state[seq] != pending) continue;
        state[seq] = lost;
        std::lock_guard lock(mu_);
        lost_seqs_.push_back(static_cast<std::uint32_t>(seq));
      }
      lost_ += in_flight;
      in_flight = 0;
    }
  }
}

std::string UdpEchoProbe::lost_sequence_numbers() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (std::uint32_t seq : lost_seqs_) out += (out.empty() ? "" : " ") + std::to_string(seq);
  return out;
}

}  // namespace vpnlab::ike::test
