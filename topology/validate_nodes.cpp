// lab.nodes: which software runs each gateway node (issue 10, "Any gateway node can be real
// software"). Node names are the plan's (azure-gw0, azure-gw1, aws-vgw); real software needs
// IKE keying, since charon negotiates its SAs (manual keying is vpnlab's own).
#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {
namespace {

const std::vector<std::string> kImplementations = {"vpnlab", "strongswan+frr", "strongswan+bird",
                                                   "external"};

std::vector<std::string> gateway_nodes(const Lab& lab) {
  std::vector<std::string> out = {"azure-gw0"};
  if (lab.azure.gateway.active_active) out.push_back("azure-gw1");
  out.push_back("aws-vgw");
  return out;
}

std::string mean(const std::string& value, const std::vector<std::string>& known) {
  std::string best = nearest_name(value, known);
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

}  // namespace

void validate_nodes(const Lab& lab, Diagnostics& d) {
  const auto nodes = gateway_nodes(lab);
  for (const auto& [node, s] : lab.lab.nodes) {
    const std::string path = "lab.nodes." + node;
    if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) {
      d.error(lab, path,
              "'" + node + "' is not a gateway node of this lab (" + join(nodes) + ")" +
                  mean(node, nodes));
    }
    if (std::find(kImplementations.begin(), kImplementations.end(), s.implementation) ==
        kImplementations.end()) {
      d.error(lab, path + ".implementation",
              "'" + s.implementation + "' is not one of " + join(kImplementations) +
                  mean(s.implementation, kImplementations));
      continue;
    }
    if (!s.command.empty() && s.implementation != "external") {
      d.error(lab, path + ".command",
              "only an external node runs a command (this node is " + s.implementation + ")");
    }
    if (s.implementation.rfind("strongswan", 0) == 0 && lab.lab.keying != "ike") {
      d.error(lab, path + ".implementation",
              s.implementation + " needs lab.keying: ike (charon negotiates its SAs with IKEv2)");
    }
  }
}

}  // namespace vpnlab::topology
