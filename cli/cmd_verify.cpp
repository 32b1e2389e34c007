// vpnlab verify [FILE | --lab NAME] [--json]: the running lab checked as the tutorial's part 4
// does, plus the data path and the routes (topology/verify/); exit 0 only when every check
// passes.
#include <unistd.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/consoles.hpp"
#include "dataplane/linux/netns.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/verify/verify.hpp"

namespace vpnlab::cli {

int cmd_verify(const LabSource& src, bool json) {
  if (geteuid() != 0) {
    std::fprintf(stderr,
                 "vpnlab verify: sends packets inside the lab's namespaces and needs root\n");
    return 1;
  }
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  for (const auto& n : plan.underlay.nodes) {
    if (!dataplane::netns_exists(n.netns)) {
      std::fprintf(stderr, "vpnlab verify: lab '%s' is not up (namespace %s missing; vpnlab up)\n",
                   lab->lab.name.c_str(), n.netns.c_str());
      return 3;
    }
  }
  topology::RunPaths paths{run_dir(lab->lab.name)};
  auto gateways = topology::nodes::gateways_status(plan, paths);
  auto report =
      topology::verify::run_verify(*lab, plan, paths, merge_consoles(*lab, gateways), gateways);
  if (json) {
    std::printf("%s\n", topology::verify::to_json(report).dump(2).c_str());
  } else {
    std::printf("lab '%s'\n\n%s", lab->lab.name.c_str(),
                topology::verify::format_checklist(report).c_str());
  }
  return report.ok() ? 0 : 5;
}

}  // namespace vpnlab::cli
