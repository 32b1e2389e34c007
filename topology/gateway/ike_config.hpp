#pragma once
// From a tunnel's plan to the IKE core's PeerConfig: addresses and IDs (IPv4, what both
// clouds use), the PSK, timers, DPD action, who initiates, and the proposals. The plan
// carries proposals in strongSwan's syntax ("aes128-aes256-sha1-sha256-modp1024-modp2048");
// each string expands to every combination of its algorithms, in the string's order.

#include <string>
#include <vector>

#include "base/result.hpp"
#include "ike/core/config.hpp"
#include "ike/core/proposal.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

Checked<std::vector<ike::IkeSuite>> parse_ike_proposal(const std::string& text);
/// ESP proposals; a DH group in the string is the PFS group (used for rekeys).
Checked<std::vector<ike::ChildSuite>> parse_esp_proposal(const std::string& text);

/// The CHILD_SAs' volume lifetimes: Azure's data-size limit as the hard byte limit, the soft
/// one at the time margin's share; none for AWS.
dataplane::SaLimits child_limits(const TunnelPlan& tunnel);

Checked<ike::PeerConfig> ike_peer_config(const GatewayPlan& gateway, const TunnelPlan& tunnel);

}  // namespace vpnlab::topology
