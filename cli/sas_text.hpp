#pragma once
// `vpnlab status --sas`: every gateway's IKE_SAs and CHILD_SAs per tunnel, in the shape of
// `swanctl --list-sas` (state, role, SPIs, algorithms, established time, rekey countdowns,
// bytes and packets, last error). SPIs only: keys and PSKs never reach the status document.
#include <nlohmann/json.hpp>
#include <string>

namespace vpnlab::cli {

/// gateways: {node: status document} as the gateways' control sockets answer it.
std::string render_sas(const nlohmann::json& gateways);

}  // namespace vpnlab::cli
