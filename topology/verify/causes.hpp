#pragma once
// Likely causes of a failed check, derived from the evidence: the gateways' status documents
// (a tunnel's last error, a BGP peer's last error and addresses) and the lab's configuration
// (PSKs, DPD action, connection mode, route propagation, what each side announces). Pure.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "topology/model.hpp"

namespace vpnlab::topology::verify {

/// Both ends of one tunnel as the gateways report it; null where a gateway did not answer.
struct TunnelEnds {
  std::string name;  // "ToAzureInstance0.tunnel1"
  std::string azure_node, aws_node;
  const nlohmann::json* azure = nullptr;
  const nlohmann::json* aws = nullptr;
  bool up() const;
};

/// Why a tunnel is not UP on both ends.
std::vector<std::string> tunnel_causes(const Lab& lab, const TunnelEnds& t);
/// Why a BGP session over the tunnel is not Connected with routes (`peer` from the Azure
/// side's peer table, null if absent).
std::vector<std::string> bgp_causes(const Lab& lab, const TunnelEnds& t,
                                    const nlohmann::json* peer);
/// Why the VPC route table lacks a route the VGW learned.
std::vector<std::string> vpc_route_causes(const Lab& lab, bool supervisor_running);
/// Why the VNet's effective routes differ from what the instances learned.
std::vector<std::string> vnet_route_causes(bool supervisor_running);

}  // namespace vpnlab::topology::verify
