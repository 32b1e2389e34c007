#pragma once
// The data path, with real packets inside the lab's namespaces: each tunnel carries ICMP
// between its two inside (APIPA) addresses and its counters move on both ends; the VNet VM
// pings the VPC host; UDP flows from the VM reach the host over every path the routes allow
// (each Azure instance and tunnel with a route to the host), per-tunnel counters showing it.
#include <functional>
#include <nlohmann/json.hpp>

#include "topology/model.hpp"
#include "topology/plan.hpp"
#include "topology/verify/report.hpp"
#include "topology/verify/route_checks.hpp"

namespace vpnlab::topology::verify {

/// Returns node -> status document, freshly asked (counters before and after each probe).
using GatewayQuery = std::function<nlohmann::json()>;

/// A tunnel counter's growth between two status documents (dir "tx"/"rx"): packets where
/// the node counts them, else bytes (real nodes report bytes only).
std::int64_t grew(const nlohmann::json& before, const nlohmann::json& after,
                  const std::string& node, const std::string& device, const char* dir);

void tunnel_datapath_checks(const Lab& lab, const LabPlan& plan, const GatewayQuery& query,
                            Report& report);
void vm_to_host_checks(const Lab& lab, const LabPlan& plan, const GatewayQuery& query,
                       const RouteTables& tables, bool supervisor_running, Report& report);

}  // namespace vpnlab::topology::verify
