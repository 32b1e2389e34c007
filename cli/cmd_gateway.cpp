// vpnlab gateway --config PLAN [--socket PATH] [--status [--json]]: one gateway node, in its
// lab namespace (started by up), or on a host interface when the plan has an underlay
// section (README "A gateway on a real interface").
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange unincluded

#include <sys/stat.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.hpp"
#include "cli/commands.hpp"
#include "cli/sas_text.hpp"
#include "topology/control_client.hpp"
#include "topology/gateway/gateway.hpp"
#include "topology/gateway/host_attach.hpp"
#include "topology/host_plan.hpp"
#include "topology/private_paths.hpp"
#include "topology/privileges.hpp"

namespace vpnlab::cli {
namespace {

// Host gateways keep their control sockets apart from labs' (/run/vpnlab/<lab>/), so one
// can run beside a lab made from the same description.
constexpr const char* kHostRunDir = "/run/vpnlab-host";

std::optional<topology::GatewayPlan> read_plan(const std::string& config) {
  std::ifstream in(config);
  if (!in) {
    std::fprintf(stderr, "vpnlab gateway: cannot read plan %s\n", config.c_str());
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto plan = topology::plan_from_yaml(text.str());
  if (!plan) {
    std::fprintf(stderr, "vpnlab gateway: %s: %s\n", config.c_str(), plan.error().message.c_str());
    return std::nullopt;
  }
  if (plan->underlay) {
    if (auto rc = topology::check_host_plan(*plan); !rc) {
      std::fprintf(stderr, "vpnlab gateway: %s: %s\n", config.c_str(), rc.error().message.c_str());
      return std::nullopt;
    }
  }
  return std::move(*plan);
}

std::string socket_for(const topology::GatewayPlan& plan, const std::string& given) {
  if (!given.empty() || !plan.underlay) return given;
  return std::string(kHostRunDir) + "/" + plan.lab + "-" + plan.node + ".sock";
}

// A second gateway on the same socket would take it over silently (ControlSocket unlinks).
bool socket_free(const std::string& path) {
  auto reply = topology::control_request(path, {{"command", "status"}});
  if (!reply) return true;
  std::fprintf(stderr,
               "vpnlab gateway: control socket %s answers: gateway %s of lab '%s' is running "
               "there already (stop it, or pass another --socket)\n",
               path.c_str(), reply->value("node", "?").c_str(), reply->value("lab", "?").c_str());
  return false;
}

// The dataplane's sockets set SO_REUSEADDR, so a second gateway on the same address would
// bind and silently share IKE and ESP with the first: refuse, naming the field and process.
bool ports_free(const std::vector<Ipv4Address>& addresses) {
  for (auto a : addresses) {
    for (std::uint16_t port : {500, 4500}) {
      if (auto owner = topology::udp_port_owner(a, port)) {
        std::fprintf(stderr,
                     "vpnlab gateway: underlay.address: UDP %u on %s is held by %s (another "
                     "vpnlab gateway or an IKE daemon on this address)\n",
                     port, a.to_string().c_str(), owner->c_str());
        return false;
      }
    }
  }
  return true;
}

// The plan holds PSKs, the control socket's directory the socket that hands out SA keys,
// stdout/stderr the log: all root-only, or the gateway does not start (private_paths.hpp).
bool files_private(const std::string& config, const std::string& socket_path) {
  std::string dir = std::filesystem::path(socket_path).parent_path().string();
  for (auto rc :
       {topology::check_private_file(config), topology::check_private_dir(dir.empty() ? "." : dir),
        topology::check_private_fd(1), topology::check_private_fd(2)}) {
    if (!rc) {
      std::fprintf(stderr, "vpnlab gateway: %s\n", rc.error().message.c_str());
      return false;
    }
  }
  return true;
}

// After setup (namespace, TUN devices, sockets, BGP listeners) a gateway installs BGP's
// routes through netlink and, on a host, removes the addresses and routes it added when it
// stops: CAP_NET_ADMIN. Nothing else: BGP's outgoing connections bind port 0 and set
// SO_BINDTODEVICE on fresh sockets (no CAP_NET_RAW since Linux 5.7), the drills and rekeys
// run over the sockets already open.
Checked<void> drop_gateway_privileges() {
  auto line = topology::drop_privileges(
      {{topology::Capability::net_admin, "BGP route installs over netlink"}});
  if (!line) return Unexpected{line.error()};
  VPNLAB_LOG(info, "gw", "%s", line->c_str());
  return {};
}

}  // namespace

int cmd_gateway(const std::string& config, const std::string& socket_arg) {
  auto plan = read_plan(config);
  if (!plan) return 1;
  std::string socket_path = socket_for(*plan, socket_arg);
  if (socket_path.empty()) {
    std::fprintf(stderr, "vpnlab gateway: --socket is required for a lab plan (up passes it)\n");
    return 1;
  }
  if (plan->underlay) ::mkdir(kHostRunDir, 0700);
  if (!files_private(config, socket_path)) return 1;
  static std::string prefix;
  prefix = "[" + plan->node + "]";
  log::set_prefix(prefix.c_str());
  boost::asio::io_context io;
  // Before anything changes the host: a SIGTERM during setup still cleans up.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::unique_ptr<topology::HostAttachment> host;
  if (plan->underlay) {
    if (!socket_free(socket_path) || !ports_free(plan->public_addresses)) return 1;
    auto attached = topology::HostAttachment::attach(*plan);
    if (!attached) {
      std::fprintf(stderr, "vpnlab gateway: %s\n", attached.error().message.c_str());
      return 1;
    }
    host = std::move(*attached);
    for (const auto& line : host->report()) VPNLAB_LOG(info, "host", "%s", line.c_str());
  }
  auto gw = topology::Gateway::create(std::move(*plan), io, socket_path);
  if (!gw) {
    std::fprintf(stderr, "vpnlab gateway: %s\n", gw.error().message.c_str());
    return 1;
  }
  VPNLAB_LOG(info, "gw", "gateway started, control socket %s", socket_path.c_str());
  if (auto rc = (*gw)->start(drop_gateway_privileges); !rc) {
    std::fprintf(stderr, "vpnlab gateway: %s\n", rc.error().message.c_str());
    return 1;
  }
  signals.async_wait([&](boost::system::error_code, int sig) {
    VPNLAB_LOG(info, "gw", "signal %d: stopping", sig);
    (*gw)->stop();
    io.stop();
  });
  io.run();
  gw->reset();   // TUN devices and sockets first,
  host.reset();  // then the addresses and routes they used
  VPNLAB_LOG(info, "gw", "gateway stopped");
  return 0;
}

int cmd_gateway_status(const std::string& config, const std::string& socket_arg, bool json) {
  auto plan = read_plan(config);
  if (!plan) return 1;
  std::string socket_path = socket_for(*plan, socket_arg);
  if (socket_path.empty()) {
    std::fprintf(stderr, "vpnlab gateway: --socket is required for a lab plan\n");
    return 1;
  }
  auto reply = topology::control_request(socket_path, {{"command", "status"}});
  if (!reply) {
    std::fprintf(stderr, "vpnlab gateway: %s\n", reply.error().message.c_str());
    return 3;
  }
  if (json) {
    std::printf("%s\n", reply->dump(2).c_str());
  } else {
    std::fputs(render_sas({{plan->node, *reply}}).c_str(), stdout);
  }
  return 0;
}

}  // namespace vpnlab::cli
