#include "cli/lab_status.hpp"

#include "cli/consoles.hpp"
#include "cli/lab_source.hpp"
#include "dataplane/linux/netns.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/recovery_status.hpp"

namespace vpnlab::cli {

LabStatus collect_status(const topology::Lab& lab, const topology::LabPlan& plan) {
  LabStatus s;
  s.namespaces = plan.underlay.nodes.size();
  for (const auto& n : plan.underlay.nodes)
    s.namespaces_present += dataplane::netns_exists(n.netns);
  topology::RunPaths paths{run_dir(lab.lab.name)};
  nlohmann::json gateways = nlohmann::json::object();
  if (s.namespaces_present > 0) {
    gateways = topology::nodes::gateways_status(plan, paths);
  } else {
    for (const auto& g : plan.gateways) gateways[g.node] = nullptr;
  }
  s.merged = merge_consoles(lab, gateways);
  s.merged["underlay"] = {{"namespaces_present", s.namespaces_present},
                          {"namespaces", s.namespaces}};
  s.merged["gateways"] = gateways;
  s.merged["recovery"] = topology::recovery_status(topology::analyze_recovery(plan), gateways);
  return s;
}

std::string gateways_line(const nlohmann::json& gateways) {
  std::string out;
  for (const auto& [node, doc] : gateways.items()) {
    out += (out.empty() ? "" : ", ") + node +
           (doc.is_object() ? " answering" : " NOT ANSWERING (down or restarting)");
  }
  return "gateways: " + out + "\n";
}

}  // namespace vpnlab::cli
