#include "topology/verify/verify.hpp"

#include "topology/nodes/real_node.hpp"
#include "topology/verify/console_checks.hpp"
#include "topology/verify/datapath.hpp"
#include "topology/verify/route_checks.hpp"

namespace vpnlab::topology::verify {
namespace {

RouteTables read_tables(const LabPlan& plan) {
  RouteTables t;
  std::string prefix = plan.underlay.lab + "-";
  auto vnet = read_fabric_routes(prefix + "vnet");
  if (vnet)
    t.vnet = *vnet;
  else
    t.error = vnet.error().message;
  auto vpc = read_fabric_routes(prefix + "vpc-host");
  if (vpc)
    t.vpc = *vpc;
  else
    t.error = vpc.error().message;
  return t;
}

}  // namespace

Report run_verify(const Lab& lab, const LabPlan& plan, const RunPaths& paths,
                  const nlohmann::json& consoles, const nlohmann::json& gateways) {
  Report r;
  r.lab = lab.lab.name;
  bool supervisor = running_supervisor_pid(paths) != 0;
  console_checks(lab, plan, consoles, gateways, r);
  RouteTables tables = read_tables(plan);
  route_checks(lab, plan, gateways, tables, supervisor, r);
  GatewayQuery query = [&] { return nodes::gateways_status(plan, paths); };
  tunnel_datapath_checks(lab, plan, query, r);
  vm_to_host_checks(lab, plan, query, tables, supervisor, r);
  return r;
}

}  // namespace vpnlab::topology::verify
