#pragma once
// The clouds' route propagation (shared/DESIGN.md "Processes"): the lab supervisor reads the
// gateways' Loc-RIBs and programs the VNet fabric and the VPC route table, as the clouds do:
//  - Azure propagates gateway-learned routes into the VNet, ECMP over the instances that
//    have them (cloud-facts §2.2 "Azure->on-prem traffic uses both tunnels" [Z-AA]);
//  - AWS propagates the virtual private gateway's routes into the VPC route table only when
//    route propagation is enabled (cloud-facts: "Route propagation" [A-ROUTE]).
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dataplane/linux/netlink.hpp"
#include "topology/plan.hpp"
#include "topology/underlay_plan.hpp"

namespace vpnlab::topology {

struct FabricRoute {
  Ipv4Prefix prefix;
  std::vector<Ipv4Address> via;  // several: ECMP
  auto operator<=>(const FabricRoute&) const = default;
};

/// Prefixes a gateway learned from its peers and selected (Loc-RIB entries not sourced
/// locally), from its status document.
std::set<Ipv4Prefix> learned_prefixes(const nlohmann::json& gateway_status);

/// netns -> the routes it should have. Pure: from the gateways' status documents.
std::map<std::string, std::vector<FabricRoute>> desired_fabric_routes(
    const LabPlan& plan, const LabAddresses& addresses, const nlohmann::json& gateway_status);

/// Netlink sockets into the namespaces route propagation programs (the VNet fabric, the VPC
/// host), by namespace name. Opened once at start: a socket stays in the namespace it was
/// created in, so the supervisor needs no setns (CAP_SYS_ADMIN) after it.
using FabricSockets = std::map<std::string, dataplane::Netlink>;
Checked<FabricSockets> open_fabric_sockets(const LabPlan& plan);

/// Makes each namespace's supervisor-owned routes (protocol kRouteProtocol) exactly the
/// desired ones; returns how many routes changed.
/// The supervisor-owned routes a namespace has now (what `vpnlab verify` compares).
Checked<std::vector<FabricRoute>> read_fabric_routes(const std::string& netns);

/// Empty when every namespace route propagation programs holds exactly the routes the
/// gateways' status implies (the supervisor has caught up); otherwise the first difference,
/// "<netns>: 10.2.0.0/16 via 10.1.1.5, want via 10.1.1.4 10.1.1.5".
std::string fabric_pending(const LabPlan& plan, const nlohmann::json& gateway_status);

Checked<int> apply_fabric_routes(const std::map<std::string, std::vector<FabricRoute>>& desired,
                                 FabricSockets& sockets);

}  // namespace vpnlab::topology
