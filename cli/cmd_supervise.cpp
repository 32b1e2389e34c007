// vpnlab supervise --lab NAME: the lab supervisor (started by up in the background).
#include <cstdio>
#include <filesystem>

#include "base/log.hpp"
#include "cli/commands.hpp"
#include "topology/private_paths.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::cli {
namespace {

// The run directory, the lab file in it (PSKs) and the log on stdout/stderr must be
// root-only before the supervisor reads or adds to them (topology/private_paths.hpp).
bool files_private(const LabSource& src) {
  std::vector<Checked<void>> checks = {topology::check_private_fd(1),
                                       topology::check_private_fd(2)};
  if (!src.lab_name.empty()) {
    std::string dir = run_dir(src.lab_name);
    checks.push_back(topology::check_private_dir(dir));
    if (std::filesystem::exists(dir + "/lab.yaml"))
      checks.push_back(topology::check_private_file(dir + "/lab.yaml"));
  }
  for (const auto& rc : checks) {
    if (!rc) {
      std::fprintf(stderr, "vpnlab supervise: %s\n", rc.error().message.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int cmd_supervise(const LabSource& src) {
  if (!files_private(src)) return 1;
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  static std::string prefix;
  prefix = "[supervisor " + lab->lab.name + "]";
  log::set_prefix(prefix.c_str());
  auto plan = topology::compile(*lab);
  return topology::run_supervisor(plan, {run_dir(lab->lab.name)}, std::chrono::milliseconds(500));
}

}  // namespace vpnlab::cli
