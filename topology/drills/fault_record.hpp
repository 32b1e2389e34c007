#pragma once
// The faults left in place (`vpnlab fail` without --for), recorded in the lab's run
// directory (<run>/faults.json, 0600) so that `vpnlab heal` knows what to undo.
#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/drills/faults.hpp"

namespace vpnlab::topology::drills {

std::string faults_path(const RunPaths& paths);
/// The recorded faults (none when the file is missing); targets are re-resolved against plan.
Checked<std::vector<ActiveFault>> load_faults(const RunPaths& paths, const LabPlan& plan);
Checked<void> save_faults(const RunPaths& paths, const std::vector<ActiveFault>& faults);

}  // namespace vpnlab::topology::drills
