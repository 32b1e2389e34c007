// udp_blast: a small-packet UDP load generator and counter for the pps benchmark (iperf3
// tops out near 120k pps with 64-byte datagrams; this uses sendmmsg/recvmmsg batches of 64).
//
//   udp_blast send DST_IP PORT SECONDS [PAYLOAD_BYTES=64] [RATE_PPS=0 (unlimited)] [gso]
//     prints "sent N packets in S s"; with "gso" each message carries 64 datagrams as one
//     UDP_SEGMENT send (the kernel splits them before they leave the host or reach a TUN),
//     which makes the generator cheap enough to load a tunnel on a 2-core machine
//   udp_blast recv PORT SECONDS
//     counts datagrams until SECONDS after the first one (or SECONDS + 5 without any) and
//     prints "received N packets in S s = P pps" (S from the first to the last datagram).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBatch = 64;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int do_send(const char* dst, int port, double secs, std::size_t size, double rate, bool gso) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  if (fd < 0 || inet_pton(AF_INET, dst, &to.sin_addr) != 1) {
    std::fprintf(stderr, "udp_blast: bad destination %s\n", dst);
    return 2;
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
    std::perror("connect");
    return 1;
  }
  // gso: kGsoMessages messages of kBatch segments each; else kBatch single datagrams.
  constexpr int kGsoMessages = 8;
  int per_msg = gso ? kBatch : 1, nmsgs = gso ? kGsoMessages : kBatch;
  std::vector<char> payload(size * static_cast<std::size_t>(per_msg), 'x');
  std::vector<iovec> iov(static_cast<std::size_t>(nmsgs));
  std::vector<mmsghdr> msgs(static_cast<std::size_t>(nmsgs));
  std::vector<char> cmsg(static_cast<std::size_t>(nmsgs) * CMSG_SPACE(sizeof(std::uint16_t)));
  for (int i = 0; i < nmsgs; ++i) {
    iov[i] = iovec{payload.data(), payload.size()};
    msgs[i] = mmsghdr{};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (gso) {
      msgs[i].msg_hdr.msg_control =
          &cmsg[static_cast<std::size_t>(i) * CMSG_SPACE(sizeof(std::uint16_t))];
      msgs[i].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
      cmsghdr* cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = 103;  // UDP_SEGMENT
      cm->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      std::uint16_t seg = static_cast<std::uint16_t>(size);
      std::memcpy(CMSG_DATA(cm), &seg, sizeof seg);
    }
  }
  auto start = Clock::now();
  unsigned long long sent = 0;
  while (seconds_since(start) < secs) {
    if (rate > 0 && sent > rate * seconds_since(start)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    int n = sendmmsg(fd, msgs.data(), static_cast<unsigned>(nmsgs), 0);
    if (n > 0) sent += static_cast<unsigned>(n * per_msg);
  }
  std::printf("sent %llu packets in %.3f s\n", sent, seconds_since(start));
  return 0;
}

int do_recv(int port, double secs) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int size = 32 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    std::perror("bind");
    return 1;
  }
  std::printf("listening on %d\n", port);
  std::fflush(stdout);
  std::vector<char> bufs(kBatch * 2048);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  unsigned long long got = 0;
  Clock::time_point first{}, last{};
  auto start = Clock::now();
  for (;;) {
    if (got == 0 && seconds_since(start) > secs + 5) break;
    if (got > 0 && std::chrono::duration<double>(Clock::now() - first).count() > secs) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = iovec{bufs.data() + i * 2048, 2048};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) continue;
    if (got == 0) first = Clock::now();
    got += static_cast<unsigned>(n);
    last = Clock::now();
  }
  double span = got > 1 ? std::chrono::duration<double>(last - first).count() : 0;
  std::printf("received %llu packets in %.3f s = %.0f pps\n", got, span, span > 0 ? got / span : 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "send") == 0) {
    return do_send(argv[2], std::atoi(argv[3]), std::atof(argv[4]),
                   argc > 5 ? static_cast<std::size_t>(std::atoi(argv[5])) : 64,
                   argc > 6 ? std::atof(argv[6]) : 0, argc > 7 && std::strcmp(argv[7], "gso") == 0);
  }
  if (argc == 4 && std::strcmp(argv[1], "recv") == 0) {
    return do_recv(std::atoi(argv[2]), std::atof(argv[3]));
  }
  std::fprintf(
      stderr,
      "usage: udp_blast send DST PORT SECONDS [BYTES] [RATE_PPS] [gso] | recv PORT SECONDS\n");
  return 2;
}
