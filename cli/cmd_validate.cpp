// vpnlab validate [FILE]; vpnlab topology show|plan
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/plan_text.hpp"
#include "topology/plan.hpp"

namespace vpnlab::cli {

int cmd_validate(const LabSource& src) {
  auto lab = load_valid_lab(src);
  std::string name = src.file.empty() ? "<default lab>" : src.file;
  if (!lab) {
    std::fprintf(stderr, "%s: invalid\n", name.c_str());
    return 1;
  }
  auto plan = topology::compile(*lab);
  std::fputs(plan.notes.format(name).c_str(), stderr);
  std::printf("%s: valid (%zu Azure connections, %zu AWS tunnels, %zu gateway nodes)\n",
              name.c_str(), lab->azure.connections.size(),
              plan.gateways.empty() ? std::size_t{0} : plan.gateways.back().tunnels.size(),
              plan.gateways.size());
  return 0;
}

int cmd_topology_show(bool show_secrets) {
  const std::string& text = topology::default_lab_yaml();
  std::fputs(show_secrets ? text.c_str() : redact_secrets(text).c_str(), stdout);
  if (!show_secrets) {
    std::fputs("# pre-shared keys redacted; `vpnlab topology show --show-secrets` prints them\n",
               stdout);
  }
  return 0;
}

int cmd_topology_plan(const LabSource& src, const std::string& node) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  bool any = false;
  for (const auto& g : plan.gateways) {
    if (!node.empty() && g.node != node) continue;
    std::fputs(plan_summary(g).c_str(), stdout);
    any = true;
  }
  if (!any) {
    std::fprintf(stderr, "no gateway node named '%s' (azure-gw0, azure-gw1, aws-vgw)\n",
                 node.c_str());
    return 1;
  }
  return 0;
}

}  // namespace vpnlab::cli
