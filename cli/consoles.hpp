#pragma once
// The lab as the two cloud consoles show it, rendered from the gateways' status documents:
// Azure's connections and BGP peers (connectionStatus, ingress/egress bytes), AWS's VPN
// connections' tunnel details (UP/DOWN, "N BGP ROUTES" / "IPSEC IS DOWN", last change).
#include <nlohmann/json.hpp>
#include <string>

#include "topology/model.hpp"

namespace vpnlab::cli {

/// Merged document: {"azure": {...}, "aws": {...}} in the clouds' field names.
nlohmann::json merge_consoles(const topology::Lab& lab, const nlohmann::json& gateways);
std::string render_consoles(const nlohmann::json& merged);

}  // namespace vpnlab::cli
