#include "topology/drills/faults.hpp"

#include <signal.h>

#include <chrono>
#include <thread>

#include "base/errors.hpp"
#include "topology/control_client.hpp"
#include "topology/nodes/real_node.hpp"

namespace vpnlab::topology::drills {
namespace {

using namespace std::chrono_literals;

bool gone(int pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

const GatewayPlan* gateway(const LabPlan& plan, const std::string& node) {
  for (const auto& g : plan.gateways) {
    if (g.node == node) return &g;
  }
  return nullptr;
}

Checked<int> gateway_pid(const FaultContext& ctx, const std::string& node) {
  const GatewayPlan* g = gateway(ctx.plan, node);
  if (g && nodes::is_real(*g)) {
    return fail(
        make_error_code(errc::unsupported),
        node + " is run by " + g->implementation + ": process drills act on vpnlab gateways only");
  }
  int pid = running_gateway_pid(ctx.paths, node);
  if (pid == 0) {
    return fail(make_error_code(errc::not_found),
                "gateway " + node + " is not running (see vpnlab status; vpnlab up starts it)");
  }
  return pid;
}

Checked<void> tunnel_action(const FaultContext& ctx, const std::string& node,
                            const std::string& device, const std::string& action,
                            std::string* note = nullptr) {
  auto reply = control_request(ctx.paths.socket(node),
                               {{"command", "tunnel"}, {"tunnel", device}, {"action", action}});
  if (!reply) return Unexpected{reply.error()};
  if (reply->contains("error")) {
    return fail(make_error_code(errc::invalid_value),
                node + ": " + (*reply)["error"].get<std::string>());
  }
  if (note && reply->contains("note")) *note = (*reply)["note"].get<std::string>();
  return {};
}

// Azure's maintenance is graceful [Z-AA]: the instance closes its tunnels (INFORMATIONAL
// DELETE; BGP stops with them, Cease/Administrative Shutdown), then goes away.
Checked<std::string> maintenance(const FaultContext& ctx, ActiveFault& f) {
  auto pid = gateway_pid(ctx, f.target.node);
  if (!pid) return Unexpected{pid.error()};
  const GatewayPlan* g = gateway(ctx.plan, f.target.node);
  for (const auto& t : g->tunnels) {
    if (auto rc = tunnel_action(ctx, g->node, t.device, "down"); !rc) return Unexpected{rc.error()};
  }
  std::this_thread::sleep_for(200ms);  // the DELETEs and NOTIFICATIONs leave before the exit
  ::kill(*pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!gone(*pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  if (!gone(*pid)) ::kill(*pid, SIGKILL);
  f.pid = *pid;
  return "closed " + std::to_string(g->tunnels.size()) + " tunnels of " + g->node +
         " (IKE DELETE, BGP Cease), then stopped it (SIGTERM, pid " + std::to_string(*pid) + ")";
}

Checked<std::string> signal_gateway(const FaultContext& ctx, ActiveFault& f, int sig) {
  auto pid = gateway_pid(ctx, f.target.node);
  if (!pid) return Unexpected{pid.error()};
  if (::kill(*pid, sig) != 0) return fail(errno_code(errno), "signal gateway " + f.target.node);
  f.pid = *pid;
  if (sig == SIGKILL) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!gone(*pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
  }
  return std::string(sig == SIGKILL ? "kill -9 " : "kill -STOP ") + f.target.node + " (pid " +
         std::to_string(*pid) + ")";
}

Checked<std::string> restart(const FaultContext& ctx, const std::string& node) {
  auto started = start_gateways(ctx.plan, ctx.paths, ctx.exe);
  if (!started) return Unexpected{started.error()};
  for (const auto& s : *started) {
    if (s.node == node && !s.already_running)
      return "restarted " + node + " (pid " + std::to_string(s.pid) + ") as vpnlab up does";
  }
  return node + " was already running";
}

}  // namespace

Checked<TunnelPath> tunnel_path(const LabPlan& plan, const std::string& device) {
  TunnelPath p;
  p.tunnel = device;
  int index = 0;
  for (const auto& g : plan.gateways) {
    for (std::size_t i = 0; i < g.tunnels.size(); ++i) {
      if (g.tunnels[i].device != device) continue;
      (g.cloud == Cloud::aws ? p.aws_outside : p.azure_outside) = g.tunnels[i].local_outside;
      if (g.cloud == Cloud::aws) index = static_cast<int>(i);
      for (const auto& l : plan.underlay.links) {
        if (l.a.netns != g.netns || l.a.device != "wan") continue;
        p.router_netns = l.b.netns;
        (g.cloud == Cloud::aws ? p.port_toward_aws : p.port_toward_azure) = l.b.device;
      }
    }
  }
  if (p.port_toward_aws.empty() || p.port_toward_azure.empty()) {
    return fail(make_error_code(errc::not_found),
                "tunnel " + device + ": no internet router link at both of its ends");
  }
  p.class_minor = 10 + index;
  return p;
}

Checked<std::string> apply_fault(const FaultContext& ctx, ActiveFault& f) {
  const Target& t = f.target;
  switch (t.kind) {
    case FaultKind::instance_crash:
      return signal_gateway(ctx, f, SIGKILL);
    case FaultKind::gateway_hang:
      return signal_gateway(ctx, f, SIGSTOP);
    case FaultKind::instance_maintenance:
      return maintenance(ctx, f);
    case FaultKind::endpoint_replacement: {
      if (auto rc = tunnel_action(ctx, t.node, t.device, "down"); !rc)
        return Unexpected{rc.error()};
      return "the AWS end (" + t.node + ") closed " + t.device + " for its endpoint replacement";
    }
    case FaultKind::bgp_reset: {
      if (auto rc = tunnel_action(ctx, t.node, t.device, "bgp-reset"); !rc)
        return Unexpected{rc.error()};
      return t.node + " sent Cease/Administrative Reset on " + t.device + "'s BGP session";
    }
    case FaultKind::path_impairment: {
      auto p = tunnel_path(ctx.plan, t.device);
      if (!p) return Unexpected{p.error()};
      if (auto rc = apply_impairment(*p, f.impairment); !rc) return Unexpected{rc.error()};
      return "impaired " + t.device + " on " + p->router_netns + " (" + p->port_toward_aws + ", " +
             p->port_toward_azure + "): " + f.impairment.describe();
    }
  }
  return fail(make_error_code(errc::invalid_value), "unknown fault");
}

Checked<std::string> undo_fault(const FaultContext& ctx, const ActiveFault& f) {
  const Target& t = f.target;
  switch (t.kind) {
    case FaultKind::instance_crash:
    case FaultKind::instance_maintenance:
      return restart(ctx, t.node);
    case FaultKind::gateway_hang:
      // Only the PID we stopped, and only while it is still that gateway.
      if (running_gateway_pid(ctx.paths, t.node) != f.pid)
        return t.node + " (pid " + std::to_string(f.pid) +
               ") is no longer running: nothing to continue";
      ::kill(f.pid, SIGCONT);
      return "kill -CONT " + t.node + " (pid " + std::to_string(f.pid) + ")";
    case FaultKind::endpoint_replacement: {
      std::string note;
      if (auto rc = tunnel_action(ctx, t.node, t.device, "up", &note); !rc)
        return Unexpected{rc.error()};
      return "the new AWS endpoint of " + t.device + " is in service" +
             (note.empty() ? " and initiates" : ": " + note);
    }
    case FaultKind::bgp_reset:
      return std::string("nothing to undo: the session re-establishes by the BGP FSM");
    case FaultKind::path_impairment: {
      auto p = tunnel_path(ctx.plan, t.device);
      if (!p) return Unexpected{p.error()};
      if (auto rc = remove_impairment(*p, f.impairment); !rc) return Unexpected{rc.error()};
      return "removed the impairment of " + t.device;
    }
  }
  return fail(make_error_code(errc::invalid_value), "unknown fault");
}

}  // namespace vpnlab::topology::drills
