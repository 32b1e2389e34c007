// bgp_bench_receiver: vpnlab's BGP speaker as a receiver in convergence.py. It runs the
// speaker from a config file (bgp/speaker/config_file.hpp) in the current network namespace,
// installing every Loc-RIB route into this namespace's kernel table over rtnetlink (as
// bgp_speaker_main does), and reports the moments its Loc-RIB and the kernel hold N routes:
//
//   bgp_bench_receiver CONFIG N
//
// Output lines (CLOCK_MONOTONIC nanoseconds, the clock time.monotonic_ns() reads):
//   locrib_ns=...                    Loc-RIB size reached N
//   kernel_ns=... kernel_routes=K    N successful RouteTable::replace acks (netlink ACKed);
//                                    K is a netlink dump of proto-186 routes taken after
// Then it keeps the session up until SIGTERM/SIGINT. Both moments are exact (checked after
// every Asio handler), not polled.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
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
  std::size_t installed() const { return installed_; }

 private:
  dataplane::RouteTable& inner_;
  std::size_t installed_ = 0;
};

std::size_t kernel_route_count() {
  auto nl = dataplane::Netlink::open();
  if (!nl) return 0;
  auto routes = nl->routes(dataplane::kRouteProtocol);
  return routes ? routes->size() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t start_ns = monotonic_ns();
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CONFIG N\n", argv[0]);
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
  bgp::Speaker speaker(io, std::move(*cfg), &routes);
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
      std::printf("locrib_ns=%lld\n", static_cast<long long>(monotonic_ns()));
      std::fflush(stdout);
    }
    if (!kernel_done && routes.installed() >= want) {
      kernel_done = true;
      long long at = monotonic_ns();
      std::printf("kernel_ns=%lld kernel_routes=%zu\n", at, kernel_route_count());
      std::fflush(stdout);
    }
  }
  speaker.stop();
  return 0;
}
