// vpnlab export strongswan|frr|bird --node NODE [--show-secrets] [FILE]: what a real device
// needs to take a gateway node's place, like the clouds' "download configuration": the
// swanctl.conf (with the interface setup and what charon cannot express as comments), or
// the frr.conf / bird.conf. These are the texts `vpnlab up` runs a strongswan+frr or
// strongswan+bird node with (up writes the PSKs; the export redacts them unless asked).
#include <cstdio>

#include "cli/commands.hpp"
#include "topology/nodes/bird.hpp"
#include "topology/nodes/frr.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/nodes/strongswan.hpp"

namespace vpnlab::cli {

int cmd_export(const LabSource& src, const ExportOptions& opt) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  for (const auto& g : plan.gateways) {
    if (g.node != opt.node) continue;
    topology::nodes::NodePaths paths{run_dir(lab->lab.name), g.node};
    std::string text;
    if (opt.what == "strongswan") {
      text = topology::nodes::swanctl_config(g, opt.show_secrets);
    } else if (opt.what == "frr") {
      text = topology::nodes::frr_config(topology::nodes::bgp_plan(g), paths);
    } else {
      text = topology::nodes::bird_config(topology::nodes::bgp_plan(g), paths);
    }
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  std::string nodes;
  for (const auto& g : plan.gateways) nodes += (nodes.empty() ? "" : ", ") + g.node;
  std::fprintf(stderr, "vpnlab export: no gateway node named '%s' (%s)\n", opt.node.c_str(),
               nodes.c_str());
  return 1;
}

}  // namespace vpnlab::cli
