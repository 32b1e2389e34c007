#pragma once
// Routes are where the consoles say: what each gateway learned over BGP (Azure's "learned
// routes", the VGW's), and the VNet's effective routes and the VPC route table against what
// those learned routes imply (topology/fabric.hpp: ECMP over the instances that learned a
// prefix; the VGW's routes in the VPC only with route propagation). Pure.
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "topology/fabric.hpp"
#include "topology/model.hpp"
#include "topology/plan.hpp"
#include "topology/verify/report.hpp"

namespace vpnlab::topology::verify {

/// The supervisor-owned routes found in the VNet fabric and the VPC host namespaces
/// (nullopt: could not be read, with `error`).
struct RouteTables {
  std::optional<std::vector<FabricRoute>> vnet, vpc;
  std::string error;
};

void route_checks(const Lab& lab, const LabPlan& plan, const nlohmann::json& gateways,
                  const RouteTables& actual, bool supervisor_running, Report& report);

/// What the learned routes imply for `netns` with route propagation on (what the tutorial
/// sets): the routes verify expects there.
std::vector<FabricRoute> implied_routes(const LabPlan& plan, const nlohmann::json& gateways,
                                        const std::string& netns);

}  // namespace vpnlab::topology::verify
