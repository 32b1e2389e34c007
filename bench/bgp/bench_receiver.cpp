// bgp_bench_receiver: vpnlab's BGP speaker as a receiver in convergence.py. It runs the
// speaker from a config file (bgp/speaker/config_file.hpp) in the current network namespace,
// installing every Loc-RIB route into this namespace's kernel table over rtnetlink (as
// bgp_speaker_main does), and reports the moments its Loc-RIB and the kernel hold N routes:
//
//   bgp_bench_receiver CONFIG N [--no-kernel]
//
// Output lines (CLOCK_MONOTONIC nanoseconds, the clock time.monotonic_ns() reads; RSS of
// this process at that moment):
//   locrib_ns=... rss_kib=...    Loc-RIB size reached N
//   kernel_ns=... rss_kib=...    N routes installed (RouteTable::apply batches, netlink ACKed)
//   kernel_routes=K              then, untimed: a netlink dump of the proto-186 routes
// Then it keeps the session up until SIGTERM/SIGINT. Both moments are exact (checked after
// every Asio handler), not polled. --no-kernel: no RouteTable (Loc-RIB only, like anchors
// run without a FIB); only the locrib line.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "base/log.hpp"
#include "bgp/speaker/config_file.hpp"
#include "dataplane/linux/netlink.hpp"

using namespace vpnlab;

namespace {

std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Forwards to the netlink table and counts the routes the kernel acknowledged.
class CountingRouteTable final : public dataplane::RouteTable {
 public:
  explicit CountingRouteTable(dataplane::RouteTable& inner) : inner_(inner) {}
  Result<void> replace(const Ipv4Prefix& prefix,
                       const std::vector<dataplane::NextHop>& hops) override {
    auto r = inner_.replace(prefix, hops);
    if (r) ++installed_;
    return r;
  }
  Result<void> remove(const Ipv4Prefix& prefix) override {
    auto r = inner_.remove(prefix);
    if (r && installed_ > 0) --installed_;
    return r;
  }
  std::vector<dataplane::RouteFailure> apply(
      const std::vector<dataplane::RouteChange>& changes) override {
    auto failed = inner_.apply(changes);
    std::vector<bool> ok(changes.size(), true);
    for (const auto& f : failed) ok[f.index] = false;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if (!ok[i]) continue;
      if (!changes[i].hops.empty())
        ++installed_;
      else if (installed_ > 0)
        --installed_;
    }
    return failed;
  }
  std::size_t installed() const { return installed_; }

 private:
  dataplane::RouteTable& inner_;
  std::size_t installed_ = 0;
};

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

void print_moment(const char* what) {
  std::printf("%s_ns=%lld rss_kib=%ld\n", what, static_cast<long long>(monotonic_ns()), rss_kib());
  std::fflush(stdout);
}

std::size_t kernel_route_count() {
  auto nl = dataplane::Netlink::open();
  if (!nl) return 0;
  auto routes = nl->routes(dataplane::kRouteProtocol);
  return routes ? routes->size() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t start_ns = monotonic_ns();
  bool kernel = argc == 3;
  if (argc != 3 && !(argc == 4 && std::string(argv[3]) == "--no-kernel")) {
    std::fprintf(stderr, "usage: %s CONFIG N [--no-kernel]\n", argv[0]);
    return 2;
  }
  log::set_level(log::Level::warn);
  std::size_t want = std::stoul(argv[2]);
  auto cfg = bgp::load_speaker_config(argv[1]);
  auto nl = dataplane::Netlink::open();
  if (!cfg || !nl) {
    std::fprintf(stderr, "%s\n", !cfg ? cfg.error().message.c_str() : nl.error().message.c_str());
    return 1;
  }
  dataplane::NetlinkRouteTable netlink_routes(std::move(*nl));
  CountingRouteTable routes(netlink_routes);
  boost::asio::io_context io;
  bgp::Speaker speaker(io, std::move(*cfg), kernel ? &routes : nullptr);
  if (auto r = speaker.start(); !r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  std::printf("start_ns=%lld\n", static_cast<long long>(start_ns));
  std::fflush(stdout);
  bool stopping = false, rib_done = false, kernel_done = false;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { stopping = true; });
  while (!stopping) {
    io.run_one_for(std::chrono::milliseconds(100));
    if (!rib_done && speaker.core().loc_rib_size() >= want) {
      rib_done = true;
      print_moment("locrib");
    }
    if (kernel && !kernel_done && routes.installed() >= want) {
      kernel_done = true;
      print_moment("kernel");
      std::printf("kernel_routes=%zu\n", kernel_route_count());
      std::fflush(stdout);
    }
  }
  speaker.stop();
  return 0;
}
