#pragma once
// The recovery analysis (recovery.hpp) against a running lab: each tunnel's two ends as their
// gateways report them (the `status` documents of the control sockets), and the section
// `vpnlab status --json` carries under "recovery".

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "topology/recovery.hpp"

namespace vpnlab::topology {

/// One end of a tunnel from its gateway's status document (unknown when the gateway did not
/// answer or has no such tunnel).
EndState end_state(const nlohmann::json& gateway_status, const std::string& device);

/// Per tunnel: the analysis (initiators and comes_back per event, reason, fix) and, from the
/// live state, "will_come_back": false when it is down and nobody will start IKE again.
nlohmann::json recovery_status(const std::vector<TunnelRecovery>& analysis,
                               const nlohmann::json& gateways);

}  // namespace vpnlab::topology
