#pragma once
// `vpnlab verify`: a running lab checked as the tutorial's part 4 checks it (the consoles),
// plus the data path and the routes, each failed check with its likely causes.
#include <nlohmann/json.hpp>

#include "topology/model.hpp"
#include "topology/plan.hpp"
#include "topology/supervisor.hpp"
#include "topology/verify/report.hpp"

namespace vpnlab::topology::verify {

/// node -> status document of every gateway of the plan (vpnlab or real nodes).

/// `consoles`: the merged console view of `gateways` (cli/consoles.hpp merge_consoles).
Report run_verify(const Lab& lab, const LabPlan& plan, const RunPaths& paths,
                  const nlohmann::json& consoles, const nlohmann::json& gateways);

}  // namespace vpnlab::topology::verify
