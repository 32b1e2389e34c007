// The legitimate traffic of the hostile-input scenario: topology/probe_stream's sequenced UDP
// stream between two lab namespaces, both directions, until stdin closes (or SIGTERM/SIGINT);
// then one JSON line with what each direction sent, received and lost.
//
//   probe_driver NS_A ADDR_A NS_B ADDR_B [RATE_PPS]
//   -> "started" once both sockets are open, then {"a_to_b":{...},"b_to_a":{...},"lost":N}

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <time.h>

#include <poll.h>
#include <unistd.h>

#include "topology/probe_stream.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

void print_direction(const char* name, const vpnlab::topology::DirectionReport& d) {
  std::printf(
      "\"%s\":{\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"duplicates\":%llu,"
      "\"reordered\":%llu,\"longest_gap_ms\":%.1f}",
      name, static_cast<unsigned long long>(d.sent), static_cast<unsigned long long>(d.received),
      static_cast<unsigned long long>(d.lost), static_cast<unsigned long long>(d.duplicates),
      static_cast<unsigned long long>(d.reordered), d.longest_gap_ms);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vpnlab;
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s NS_A ADDR_A NS_B ADDR_B [RATE_PPS]\n", argv[0]);
    return 2;
  }
  auto a = Ipv4Address::parse(argv[2]);
  auto b = Ipv4Address::parse(argv[4]);
  if (!a || !b) {
    std::fprintf(stderr, "probe_driver: bad address\n");
    return 2;
  }
  topology::ProbeOptions options;
  if (argc > 5) options.rate_pps = std::atoi(argv[5]);
  auto stream = topology::ProbeStream::start({argv[1], *a}, {argv[3], *b}, options);
  if (!stream) {
    std::fprintf(stderr, "probe_driver: %s\n", stream.error().message.c_str());
    return 1;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::printf("started\n");
  std::fflush(stdout);
  // Run until stdin reaches EOF (the test closes it) or a signal. Progress to stderr every
  // 200 ms (wall clock, datagrams received each way) locates a loss in the scenario's log.
  while (!g_stop) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    std::fprintf(stderr, "%lld.%03ld a_to_b %llu b_to_a %llu\n", static_cast<long long>(ts.tv_sec),
                 ts.tv_nsec / 1000000,
                 static_cast<unsigned long long>((*stream)->received_a_to_b()),
                 static_cast<unsigned long long>((*stream)->received_b_to_a()));
    pollfd p{0, POLLIN, 0};
    if (poll(&p, 1, 200) > 0) {
      char buf[64];
      if (read(0, buf, sizeof buf) <= 0) break;
    }
  }
  topology::ProbeReport r = (*stream)->stop();
  std::printf("{");
  print_direction("a_to_b", r.a_to_b);
  std::printf(",");
  print_direction("b_to_a", r.b_to_a);
  std::printf(",\"lost\":%llu}\n", static_cast<unsigned long long>(r.lost()));
  return 0;
}
