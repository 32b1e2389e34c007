// bgp_bench_sender: the one BGP sender every receiver in convergence.py gets its table from.
// It listens (passive; the receivers connect), answers each connection's OPEN with its own
// OPEN (AS 65001, hold 180, IPv4 unicast) and a KEEPALIVE, and on the receiver's first
// KEEPALIVE (session Established, RFC 4271 §8.2.2 OpenConfirm -> Established) writes the
// whole table at once: N /24s from 20.0.0.0 up, one AS_PATH and NEXT_HOP, ~800 prefixes per
// UPDATE, then End-of-RIB (RFC 4724 §2). Afterwards it only drains the socket.
//
//   bgp_bench_sender LISTEN_ADDR PORT N NEXT_HOP
//
// Prints "ready" once listening, and per connection one line with CLOCK_MONOTONIC
// nanoseconds (the clock time.monotonic_ns() reads):
//   session accept_ns=... established_ns=... sent_ns=...
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "bgp/codec/message.hpp"
#include "bgp/speaker/deframer.hpp"

using namespace vpnlab;
using namespace vpnlab::bgp;

namespace {

constexpr std::size_t kPrefixesPerUpdate = 800;  // 800 * 4 octets of NLRI fit 4096 (§4.3)
constexpr std::uint8_t kTypeOpen = 1;            // RFC 4271 §4.1 message types
constexpr std::uint8_t kTypeKeepalive = 4;
constexpr std::size_t kTypeOffset = 18;  // marker (16) + length (2)

std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// N /24s from 20.0.0.0 (20.0.0.0/24, 20.0.1.0/24, ...), then End-of-RIB.
Bytes table_bytes(std::size_t n, Ipv4Address next_hop) {
  Bytes out;
  UpdateMessage update;
  update.attrs.origin = Origin::igp;
  update.attrs.as_path = AsPath{{{SegmentType::as_sequence, {Asn{65001}}}}};
  update.attrs.next_hop = next_hop;
  const std::uint32_t base = 20u << 24;
  for (std::size_t i = 0; i < n; ++i) {
    update.nlri.push_back(Ipv4Prefix{Ipv4Address{base + (static_cast<std::uint32_t>(i) << 8)}, 24});
    if (update.nlri.size() < kPrefixesPerUpdate && i + 1 < n) continue;
    Bytes msg = encode_update(update, {});
    out.insert(out.end(), msg.begin(), msg.end());
    update.nlri.clear();
  }
  Bytes eor = encode_end_of_rib();
  out.insert(out.end(), eor.begin(), eor.end());
  return out;
}

bool write_all(int fd, const Bytes& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (w <= 0) return false;
    off += static_cast<std::size_t>(w);
  }
  return true;
}

std::mutex print_mutex;

void serve(int fd, const Bytes& open, const Bytes& table) {
  std::int64_t accept_ns = monotonic_ns(), established_ns = 0, sent_ns = 0;
  write_all(fd, open);
  Deframer deframer;
  bool got_open = false;
  std::uint8_t buf[65536];
  for (;;) {
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0) break;
    deframer.feed(ByteSpan(buf, static_cast<std::size_t>(r)));
    while (auto msg = deframer.next()) {
      if (msg->size() <= kTypeOffset) continue;
      std::uint8_t type = (*msg)[kTypeOffset];
      if (type == kTypeOpen && !got_open) {
        got_open = true;
        write_all(fd, encode_keepalive());
      } else if (type == kTypeKeepalive && got_open && established_ns == 0) {
        established_ns = monotonic_ns();
        write_all(fd, table);
        sent_ns = monotonic_ns();
        std::lock_guard<std::mutex> lock(print_mutex);
        std::printf("session accept_ns=%lld established_ns=%lld sent_ns=%lld\n",
                    static_cast<long long>(accept_ns), static_cast<long long>(established_ns),
                    static_cast<long long>(sent_ns));
        std::fflush(stdout);
      }
    }
  }
  ::close(fd);
}

int listen_on(const char* addr, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(port);
  if (fd < 0 || ::inet_pton(AF_INET, addr, &local.sin_addr) != 1 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 || ::listen(fd, 8) != 0)
    return -1;
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s LISTEN_ADDR PORT N NEXT_HOP\n", argv[0]);
    return 2;
  }
  auto next_hop = Ipv4Address::parse(argv[4]);
  if (!next_hop) {
    std::fprintf(stderr, "NEXT_HOP '%s' is not an IPv4 address\n", argv[4]);
    return 2;
  }
  Bytes table = table_bytes(std::stoul(argv[3]), *next_hop);
  Capabilities caps;
  caps.multiprotocol = {kIpv4Unicast};
  Bytes open = encode_open(make_open(Asn{65001}, Seconds(180), *next_hop, caps));
  int lfd = listen_on(argv[1], static_cast<std::uint16_t>(std::stoul(argv[2])));
  if (lfd < 0) {
    std::perror("listen");
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) continue;
    std::thread(serve, fd, std::cref(open), std::cref(table)).detach();
  }
}
