#pragma once
// A drill report as JSON (`vpnlab fail --json`, `--report FILE.json`): the fields of
// DrillReport under the same names, times in milliseconds relative to the fault.
#include <nlohmann/json.hpp>

#include "topology/drills/report.hpp"

namespace vpnlab::topology::drills {

nlohmann::json to_json(const DrillReport& r);

}  // namespace vpnlab::topology::drills
