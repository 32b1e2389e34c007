// vpnlab tunnel down|up DEVICE: break or mend one tunnel on both ends (a drill); rekey and
// rekey-ike DEVICE: rekey its CHILD_SA / IKE_SA now, started from one end (--node, else the
// first gateway holding it; --from azure|aws: the first of that cloud); bgp-reset DEVICE:
// that end closes the tunnel's BGP session with Cease / Administrative Reset (RFC 4486). --node
// limits down/up to that end too. DEVICE is the tunnel's device as `vpnlab topology plan` shows it
// (aws0t1 = AWS connection 0, tunnel 1), or its cloud name (ToAzureInstance0.tunnel1 / an Azure
// connection name).
#include <cstdio>

#include "cli/commands.hpp"
#include "topology/control_client.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::cli {
namespace {
bool one_end(const std::string& action) {
  return action.rfind("rekey", 0) == 0 || action == "bgp-reset";
}
}  // namespace

int cmd_tunnel(const LabSource& src, const std::string& action, const std::string& tunnel,
               const std::string& node, const std::string& from) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  topology::RunPaths paths{run_dir(lab->lab.name)};
  std::string device;
  for (const auto& g : plan.gateways) {
    for (const auto& t : g.tunnels) {
      if (t.device == tunnel || t.name == tunnel) device = t.device;
    }
  }
  if (device.empty()) {
    std::fprintf(stderr, "vpnlab tunnel: no tunnel '%s' (see vpnlab topology plan)\n",
                 tunnel.c_str());
    return 1;
  }
  int done = 0, failed = 0;
  for (const auto& g : plan.gateways) {
    bool has = false;
    for (const auto& t : g.tunnels) has = has || t.device == device;
    if (!has || (!node.empty() && g.node != node)) continue;
    if (!from.empty() && (g.cloud == topology::Cloud::aws ? "aws" : "azure") != from) continue;
    if (topology::nodes::is_real(g)) {
      for (const auto& t : g.tunnels) {
        if (t.device != device) continue;
        auto note =
            topology::nodes::node_drill(g, topology::nodes::node_paths(paths, g), t, action);
        if (!note) {
          std::fprintf(stderr, "  %s: %s\n", g.node.c_str(), note.error().message.c_str());
          ++failed;
        } else {
          std::printf("  %s (%s): tunnel %s %s%s\n", g.node.c_str(), g.implementation.c_str(),
                      device.c_str(), action.c_str(), note->empty() ? "" : (" - " + *note).c_str());
          ++done;
        }
      }
      if (one_end(action) && done) break;  // one end starts a rekey
      continue;
    }
    auto reply = topology::control_request(
        paths.socket(g.node), {{"command", "tunnel"}, {"tunnel", device}, {"action", action}});
    if (!reply) {
      std::fprintf(stderr, "  %s: %s\n", g.node.c_str(), reply.error().message.c_str());
      ++failed;
    } else if (reply->contains("error")) {
      std::fprintf(stderr, "  %s: %s\n", g.node.c_str(),
                   (*reply)["error"].get<std::string>().c_str());
      ++failed;
    } else {
      std::printf("  %s: tunnel %s %s\n", g.node.c_str(), device.c_str(), action.c_str());
      ++done;
      // A rekey is one exchange, a reset one NOTIFICATION, started by one end (the first
      // that holds the tunnel).
      if (one_end(action)) break;
    }
  }
  return failed == 0 && done > 0 ? 0 : 1;
}

}  // namespace vpnlab::cli
