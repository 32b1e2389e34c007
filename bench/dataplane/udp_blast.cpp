// udp_blast: a small-packet UDP load generator and counter for the pps benchmark (iperf3
// tops out near 120k pps with 64-byte datagrams; this uses sendmmsg/recvmmsg batches of 64).
// The engine is `vpnlab bench`'s own (topology/bench/udp_flood.*); this is its command line.
//
//   udp_blast send DST_IP PORT SECONDS [PAYLOAD_BYTES=64] [RATE_PPS=0 (unlimited)] [gso]
//     prints "sent N packets in S s"; with "gso" each message carries up to 64 datagrams as
//     one UDP_SEGMENT send (the kernel splits them before they leave the host or reach a TUN),
//     which makes the generator cheap enough to load a tunnel on a 2-core machine
//   udp_blast recv PORT SECONDS
//     counts datagrams until SECONDS after the first one (or SECONDS + 5 without any) and
//     prints "received N packets in S s = P pps" (S from the first to the last datagram).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "topology/bench/udp_flood.hpp"

namespace {

using vpnlab::topology::bench::UdpFloodReceiver;
using vpnlab::topology::bench::UdpFloodSender;
using Seconds = std::chrono::duration<double>;

int do_send(const char* dst, int port, double secs, int size, double rate, bool gso) {
  auto address = vpnlab::Ipv4Address::parse(dst);
  if (!address) {
    std::fprintf(stderr, "udp_blast: bad destination %s\n", dst);
    return 2;
  }
  auto sender = UdpFloodSender::open("", *address, static_cast<std::uint16_t>(port), size, gso);
  if (!sender) {
    std::fprintf(stderr, "udp_blast: %s\n", sender.error().message.c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  auto sent = sender->run(secs, rate);
  std::printf("sent %llu packets in %.3f s\n", static_cast<unsigned long long>(sent),
              Seconds(std::chrono::steady_clock::now() - start).count());
  return 0;
}

int do_recv(int port, double secs) {
  auto receiver = UdpFloodReceiver::open("", static_cast<std::uint16_t>(port));
  if (!receiver) {
    std::fprintf(stderr, "udp_blast: %s\n", receiver.error().message.c_str());
    return 1;
  }
  std::printf("listening on %d\n", port);
  std::fflush(stdout);
  auto got = receiver->receive(Seconds(secs), Seconds(secs + 5));
  std::printf("received %llu packets in %.3f s = %.0f pps\n",
              static_cast<unsigned long long>(got.datagrams), got.seconds, got.pps());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "send") == 0) {
    return do_send(argv[2], std::atoi(argv[3]), std::atof(argv[4]),
                   argc > 5 ? std::atoi(argv[5]) : 64, argc > 6 ? std::atof(argv[6]) : 0,
                   argc > 7 && std::strcmp(argv[7], "gso") == 0);
  }
  if (argc == 4 && std::strcmp(argv[1], "recv") == 0) {
    return do_recv(std::atoi(argv[2]), std::atof(argv[3]));
  }
  std::fprintf(
      stderr,
      "usage: udp_blast send DST PORT SECONDS [BYTES] [RATE_PPS] [gso] | recv PORT SECONDS\n");
  return 2;
}
