#pragma once
// The tutorial's part 4 ("Verify the connection status", shared/seed/README.md "What
// working looks like"), checked on the consoles' merged view: every Azure connection
// Connected; every BGP peer Connected and exchanging routes; on AWS every tunnel UP with at
// least one BGP route. Pure.
#include <nlohmann/json.hpp>

#include "topology/model.hpp"
#include "topology/plan.hpp"
#include "topology/verify/report.hpp"

namespace vpnlab::topology::verify {

/// `consoles`: the merged console document (`vpnlab status --json` without "gateways");
/// `gateways`: node -> status document.
void console_checks(const Lab& lab, const LabPlan& plan, const nlohmann::json& consoles,
                    const nlohmann::json& gateways, Report& report);

}  // namespace vpnlab::topology::verify
