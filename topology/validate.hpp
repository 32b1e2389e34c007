#pragma once
// Validation of a lab description: every rule the tutorial states (shared/seed/README.md
// "Rules the tutorial states") and the clouds' documented ones (shared/cloud-facts.md §4.1).
// Each finding names the field and says what is wrong and what would be right.

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"
#include "topology/resolve.hpp"

namespace vpnlab::topology {

Diagnostics validate(const Lab& lab);

// The three rule groups, exposed for tests.
void validate_aws(const Lab& lab, const Resolved& r, Diagnostics& d);
void validate_azure(const Lab& lab, const Resolved& r, Diagnostics& d);
void validate_tutorial(const Lab& lab, const Resolved& r, Diagnostics& d);
void validate_nodes(const Lab& lab, Diagnostics& d);
/// Predictions of run-time failures the file already shows (warnings): per-session route
/// limits, and IKE/ESP proposals with no suite in common.
void validate_route_limits(const Lab& lab, Diagnostics& d);
void validate_proposals(const Lab& lab, const Resolved& r, Diagnostics& d);
/// Tunnels that would not come back by themselves after a failure (recovery.hpp); needs a lab
/// without errors (it compiles the plan).
void validate_recovery(const Lab& lab, Diagnostics& d);

}  // namespace vpnlab::topology
