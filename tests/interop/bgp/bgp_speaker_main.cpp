// bgp_speaker_main: runs vpnlab's BGP speaker from a config file (bgp/speaker/
// config_file.hpp) in the current network namespace, installing routes into this
// namespace's kernel table over rtnetlink. For interop tests and manual runs:
//
//   bgp_speaker_main CONFIG [--status FILE] [--no-kernel]
//
// Signals: SIGTERM/SIGINT stop (Cease/Administrative Shutdown to every peer); SIGUSR1 sends
// ROUTE-REFRESH to every peer; SIGHUP re-reads CONFIG's `network` lines and announces /
// withdraws the difference. With --status the status JSON is rewritten every 100 ms
// (written to FILE.tmp, then renamed).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>

#include "base/log.hpp"
#include "bgp/speaker/config_file.hpp"
#include "dataplane/linux/netlink.hpp"

using namespace vpnlab;
namespace asio = boost::asio;

namespace {

void write_status(const std::string& path, const bgp::Speaker& speaker) {
  if (path.empty()) return;
  {
    std::ofstream out(path + ".tmp");
    out << bgp::to_json(speaker.status()) << "\n";
  }
  std::rename((path + ".tmp").c_str(), path.c_str());
}

void status_loop(asio::steady_timer& t, const std::string& path, const bgp::Speaker& speaker) {
  write_status(path, speaker);
  t.expires_after(std::chrono::milliseconds(100));
  t.async_wait([&t, &path, &speaker](boost::system::error_code ec) {
    if (!ec) status_loop(t, path, speaker);
  });
}

void reload_networks(const std::string& config_path, bgp::Speaker& speaker,
                     std::set<Ipv4Prefix>& current) {
  auto cfg = bgp::load_speaker_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "reload: %s\n", cfg.error().message.c_str());
    return;
  }
  std::set<Ipv4Prefix> wanted(cfg->core.networks.begin(), cfg->core.networks.end());
  for (const auto& p : current)
    if (!wanted.count(p)) speaker.withdraw(p);
  for (const auto& p : wanted)
    if (!current.count(p)) speaker.announce(p);
  current = wanted;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [--status FILE] [--no-kernel]\n", argv[0]);
    return 2;
  }
  std::string config_path = argv[1], status_path;
  bool kernel = true;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--status" && i + 1 < argc) status_path = argv[++i];
    if (a == "--no-kernel") kernel = false;
  }
  auto cfg = bgp::load_speaker_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
    return 2;
  }
  std::set<Ipv4Prefix> networks(cfg->core.networks.begin(), cfg->core.networks.end());
  std::optional<dataplane::NetlinkRouteTable> routes;
  if (kernel) {
    auto nl = dataplane::Netlink::open();
    if (!nl) {
      std::fprintf(stderr, "netlink: %s\n", nl.error().message.c_str());
      return 1;
    }
    routes.emplace(std::move(*nl));
  }
  asio::io_context io;
  bgp::Speaker speaker(io, std::move(*cfg), routes ? &*routes : nullptr);
  if (auto r = speaker.start(); !r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 1;
  }
  asio::steady_timer status_timer(io);
  if (!status_path.empty()) status_loop(status_timer, status_path, speaker);
  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  asio::signal_set control(io, SIGUSR1, SIGHUP);
  stop_signals.async_wait([&](boost::system::error_code, int) {
    speaker.stop();
    write_status(status_path, speaker);
    status_timer.cancel();
    control.cancel();
  });
  std::function<void()> wait_control = [&] {
    control.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGUSR1)
        for (const auto& p : speaker.status().peers) speaker.request_route_refresh(p.peer_address);
      if (sig == SIGHUP) reload_networks(config_path, speaker, networks);
      wait_control();
    });
  };
  wait_control();
  VPNLAB_LOG(info, "bgp", "speaker running (pid %d)", static_cast<int>(getpid()));
  io.run();
  return 0;
}
