// vpnlab tunnel down|up DEVICE: break or mend one tunnel on both ends (a drill); rekey and
// rekey-ike DEVICE --from azure|aws: rekey its CHILD_SA / IKE_SA from one end. DEVICE is
// the tunnel's device as `vpnlab topology plan` shows it (aws0t1 = AWS connection 0,
// tunnel 1), or its cloud name (ToAzureInstance0.tunnel1 / an Azure connection name).
#include <cstdio>

#include "cli/commands.hpp"
#include "topology/control_client.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::cli {

int cmd_tunnel(const LabSource& src, const std::string& action, const std::string& tunnel,
               const std::string& from) {
  // A rekey starts at one end (both at once would be a collision, RFC 7296 2.8.1).
  bool rekey = action == "rekey" || action == "rekey-ike";
  topology::Cloud only = from == "azure" ? topology::Cloud::azure : topology::Cloud::aws;
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
    if (!has || (rekey && g.cloud != only)) continue;
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
    }
  }
  return failed == 0 && done > 0 ? 0 : 1;
}

}  // namespace vpnlab::cli
