#pragma once
// The evidence verify judges, picked out of the gateways' status documents (one per node,
// as `vpnlab status --json` carries them under "gateways"): each tunnel's two ends, the BGP
// peers, the routes each gateway learned. Pure.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "topology/plan.hpp"
#include "topology/verify/causes.hpp"

namespace vpnlab::topology::verify {

/// One entry per tunnel of the AWS gateway, with the Azure end holding the same device.
std::vector<TunnelEnds> tunnel_ends(const LabPlan& plan, const nlohmann::json& gateways);
/// A node's status document in the gateways document (null json when absent).
const nlohmann::json& node_status(const nlohmann::json& gateways, const std::string& node);
/// The peer with this neighbor address in a gateway's BGP table, or null.
const nlohmann::json* bgp_peer(const nlohmann::json& gateway, const std::string& neighbor);
/// A per-tunnel counter, 0 when absent.
std::uint64_t tunnel_counter(const nlohmann::json* tunnel, const char* name);
/// The tunnel entry with this device in a gateway's status, or null.
const nlohmann::json* tunnel_entry(const nlohmann::json& gateway, const std::string& device);

}  // namespace vpnlab::topology::verify
