// vpnlab gateway --config PLAN --socket PATH: one gateway node, in its namespace.
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange unincluded

#include <boost/asio.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/log.hpp"
#include "cli/commands.hpp"
#include "topology/gateway/gateway.hpp"

namespace vpnlab::cli {

int cmd_gateway(const std::string& config, const std::string& socket_path) {
  std::ifstream in(config);
  if (!in) {
    std::fprintf(stderr, "vpnlab gateway: cannot read plan %s\n", config.c_str());
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto plan = topology::plan_from_yaml(text.str());
  if (!plan) {
    std::fprintf(stderr, "vpnlab gateway: %s: %s\n", config.c_str(), plan.error().message.c_str());
    return 1;
  }
  static std::string prefix;
  prefix = "[" + plan->node + "]";
  log::set_prefix(prefix.c_str());
  boost::asio::io_context io;
  auto gw = topology::Gateway::create(std::move(*plan), io, socket_path);
  if (!gw) {
    std::fprintf(stderr, "vpnlab gateway: %s\n", gw.error().message.c_str());
    return 1;
  }
  VPNLAB_LOG(info, "gw", "gateway started, control socket %s", socket_path.c_str());
  (*gw)->start();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    VPNLAB_LOG(info, "gw", "signal %d: stopping", sig);
    (*gw)->stop();
    io.stop();
  });
  io.run();
  VPNLAB_LOG(info, "gw", "gateway stopped");
  return 0;
}

}  // namespace vpnlab::cli
