#include "topology/nodes/real_node.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/errors.hpp"
#include "dataplane/linux/netns.hpp"
#include "topology/control_client.hpp"
#include "topology/nodes/bird.hpp"
#include "topology/nodes/frr.hpp"
#include "topology/nodes/node_process.hpp"
#include "topology/nodes/private_file.hpp"
#include "topology/nodes/strongswan.hpp"

namespace vpnlab::topology::nodes {
namespace {

bool with_frr(const GatewayPlan& p) {
  return p.implementation == "strongswan+frr";
}
bool with_bird(const GatewayPlan& p) {
  return p.implementation == "strongswan+bird";
}
bool external(const GatewayPlan& p) {
  return p.implementation == "external";
}

// External: the configs the user's software needs, then the user's command (if any).
Checked<NodeStart> start_external(const GatewayPlan& plan, const NodePaths& p) {
  NodeStart out;
  if (pid_t pid = daemon_pid(p.file("external.pid"), "/bin/sh", p.file("external.sh"))) {
    out.daemons.push_back({"external", pid});
    out.already_running = true;
    return out;
  }
  GatewayPlan bgp = bgp_plan(plan);
  bool ok = write_private(p.file("swanctl.conf"), swanctl_config(plan, true)) &&
            write_private(p.file("strongswan.conf"), strongswan_config(plan, p)) &&
            write_text(p.file("frr.conf"), frr_config(bgp, p)) &&
            write_text(p.file("bird.conf"), bird_config(bgp, p)) &&
            write_text(p.file("interfaces.sh"), interface_setup(plan));
  if (!ok) return fail(make_error_code(errc::io_error), "cannot write the configs in " + p.dir);
  if (plan.command.empty()) return out;
  // The command goes into a file, not argv: argv is world-readable in /proc.
  std::string script =
      "export VPNLAB_RUN='" + p.dir + "' VPNLAB_NODE='" + plan.node + "'\n" + plan.command + "\n";
  if (!write_private(p.file("external.sh"), script))
    return fail(make_error_code(errc::io_error), "cannot write " + p.file("external.sh"));
  auto pid = dataplane::spawn_in_netns(plan.netns, {"/bin/sh", p.file("external.sh")},
                                       p.file("external.log"));
  if (!pid) return Unexpected{pid.error()};
  write_private(p.file("external.pid"), std::to_string(*pid) + "\n");
  out.daemons.push_back({"external", *pid});
  return out;
}

nlohmann::json bgp_status(const GatewayPlan& plan, const NodePaths& p) {
  if (with_frr(plan)) return frr_bgp_status(bgp_plan(plan), p);
  if (with_bird(plan)) return bird_bgp_status(bgp_plan(plan), p);
  // External: whichever routing daemon the command started with the written config.
  if (::access(p.file("frr.vty").c_str(), F_OK) == 0) return frr_bgp_status(bgp_plan(plan), p);
  if (::access(p.file("bird.ctl").c_str(), F_OK) == 0) return bird_bgp_status(bgp_plan(plan), p);
  return {{"error", "external node: no bgpd (" + p.file("frr.vty") + ") or BIRD (" +
                        p.file("bird.ctl") + ") answering"},
          {"peers", nlohmann::json::array()},
          {"locRib", nlohmann::json::array()}};
}

// Whether this kernel could run the tunnels itself: ESP (esp4) and XFRM interfaces, where
// one xfrm device per tunnel (if_id) would carry 0.0.0.0/0 selectors as the clouds do. The
// probe creates and deletes an xfrm link in the node's namespace.
bool kernel_has_esp_and_xfrmi(const GatewayPlan& plan) {
  if (::access("/sys/module/esp4", F_OK) != 0) return false;
  auto added = run_capture({"/usr/sbin/ip", "-n", plan.netns, "link", "add", "vpnlab-xfrmp", "type",
                            "xfrm", "if_id", "1"});
  if (!added) return false;
  (void)run_capture({"/usr/sbin/ip", "-n", plan.netns, "link", "del", "vpnlab-xfrmp"});
  return true;
}

}  // namespace

bool is_real(const GatewayPlan& plan) {
  return plan.implementation != "vpnlab";
}

GatewayPlan bgp_plan(const GatewayPlan& plan) {
  GatewayPlan out = plan;
  for (auto& n : out.bgp_neighbors) n.device.clear();
  return out;
}

Checked<NodeStart> start_node(const GatewayPlan& plan, const NodePaths& p) {
  if (external(plan)) return start_external(plan, p);
  NodeStart out;
  int charon = strongswan_pid(p);
  out.already_running = charon != 0;
  auto started = start_strongswan(plan, p);
  if (!started) return Unexpected{started.error()};
  out.daemons.push_back({"charon", *started});
  GatewayPlan bgp = bgp_plan(plan);
  auto daemon = with_frr(plan) ? start_frr(bgp, p) : start_bird(bgp, p);
  if (!daemon) {
    if (!out.already_running) stop_strongswan(p);
    return Unexpected{daemon.error()};
  }
  out.daemons.push_back({with_frr(plan) ? "bgpd" : "bird", *daemon});
  return out;
}

std::vector<std::string> stop_node(const GatewayPlan& plan, const NodePaths& p) {
  std::vector<std::string> out;
  if (external(plan)) {
    if (pid_t pid = daemon_pid(p.file("external.pid"), "/bin/sh", p.file("external.sh"))) {
      // The command's children too: spawn_in_netns made the shell a process group leader.
      ::kill(-pid, SIGTERM);
      stop_pid(pid);
      out.push_back("external command");
    }
    ::unlink(p.file("external.pid").c_str());
    return out;
  }
  // The routing daemon first: its sessions go before their tunnels do.
  if (with_frr(plan)) {
    stop_frr(p);
    out.push_back("bgpd");
  } else if (with_bird(plan)) {
    stop_bird(p);
    out.push_back("bird");
  }
  if (strongswan_pid(p)) out.push_back("charon");
  stop_strongswan(p);
  return out;
}

std::vector<std::string> node_notes(const GatewayPlan& plan) {
  std::vector<std::string> out = strongswan_notes(plan);
  std::vector<std::string> bgp;
  if (with_frr(plan) || external(plan)) bgp = frr_notes(bgp_plan(plan));
  if (with_bird(plan)) bgp = bird_notes(bgp_plan(plan));
  out.insert(out.end(), bgp.begin(), bgp.end());
  out.push_back(kernel_has_esp_and_xfrmi(plan)
                    ? "this kernel has ESP and XFRM interfaces: one xfrm device per tunnel "
                      "(if_id) would keep the clouds' 0.0.0.0/0 selectors; vpnlab still runs "
                      "kernel-libipsec, the only mapping tested here"
                    : "this kernel has no ESP or no XFRM interfaces (esp4, xfrm if_id): "
                      "charon runs userspace ESP (kernel-libipsec)");
  if (external(plan)) {
    out.insert(out.begin(), "external: configs written as " + plan.node +
                                ".{swanctl.conf,strongswan.conf,frr.conf,bird.conf,"
                                "interfaces.sh} in the run directory");
  }
  return out;
}

Checked<std::string> node_drill(const GatewayPlan& plan, const NodePaths& p, const TunnelPlan& t,
                                const std::string& action) {
  return strongswan_drill(plan, p, t, action);
}

nlohmann::json gateway_status(const GatewayPlan& plan, const RunPaths& paths,
                              std::chrono::milliseconds timeout) {
  if (!is_real(plan)) {
    auto reply = control_request(paths.socket(plan.node), {{"command", "status"}}, timeout);
    return reply ? *reply : nlohmann::json();
  }
  NodePaths p = node_paths(paths, plan);
  return {{"lab", plan.lab},
          {"node", plan.node},
          {"implementation", plan.implementation},
          {"cloud", plan.cloud == Cloud::aws ? "aws" : "azure"},
          {"display_name", plan.display_name},
          {"asn", plan.asn},
          {"instance", plan.instance},
          {"time_factor", plan.time_factor},
          {"bgp", bgp_status(plan, p)},
          {"counters", nlohmann::json::object()},
          {"tunnels", strongswan_tunnels(plan, p)}};
}

nlohmann::json gateways_status(const LabPlan& plan, const RunPaths& paths,
                               std::chrono::milliseconds timeout) {
  nlohmann::json all = nlohmann::json::object();
  for (const auto& g : plan.gateways) all[g.node] = gateway_status(g, paths, timeout);
  return all;
}

}  // namespace vpnlab::topology::nodes
