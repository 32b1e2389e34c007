#pragma once
// `vpnlab status --sas`: every gateway's IKE_SAs and CHILD_SAs per tunnel, in the shape of
// `swanctl --list-sas` (state, role, SPIs, algorithms, established time, rekey countdowns,
// bytes and packets, last error). SPIs only: keys and PSKs never reach the status document.
#include <nlohmann/json.hpp>
#include <string>

namespace vpnlab::cli {

/// gateways: {node: status document} as the gateways' control sockets answer it; recovery:
/// the status document's "recovery" array (topology/recovery_status.hpp): a down tunnel that
/// will not come back by itself says so, with what would change that.
std::string render_sas(const nlohmann::json& gateways,
                       const nlohmann::json& recovery = nlohmann::json::array());
/// "will not come back by itself: ..." and "to change that: ..." lines for a tunnel (by
/// device) that the recovery array marks as stuck; empty otherwise.
std::string recovery_note(const nlohmann::json& recovery, const std::string& key,
                          const std::string& value, const std::string& indent);

}  // namespace vpnlab::cli
