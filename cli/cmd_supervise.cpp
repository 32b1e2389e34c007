// vpnlab supervise --lab NAME: the lab supervisor (started by up in the background).
#include <cstdio>

#include "base/log.hpp"
#include "cli/commands.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::cli {

int cmd_supervise(const LabSource& src) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  static std::string prefix;
  prefix = "[supervisor " + lab->lab.name + "]";
  log::set_prefix(prefix.c_str());
  auto plan = topology::compile(*lab);
  return topology::run_supervisor(plan, {run_dir(lab->lab.name)}, std::chrono::milliseconds(500));
}

}  // namespace vpnlab::cli
