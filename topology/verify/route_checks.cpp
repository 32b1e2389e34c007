#include "topology/verify/route_checks.hpp"

#include <algorithm>

#include "topology/verify/causes.hpp"
#include "topology/verify/evidence.hpp"

namespace vpnlab::topology::verify {
namespace {

using nlohmann::json;

std::string describe(const FabricRoute& r) {
  std::string via;
  for (const auto& v : r.via) via += (via.empty() ? "" : ", ") + v.to_string();
  return r.prefix.to_string() + " via " + via + (r.via.size() > 1 ? " (ECMP)" : "");
}

std::string prefixes(const std::set<Ipv4Prefix>& s) {
  std::string out;
  std::size_t n = 0;
  for (const auto& p : s) {
    if (++n > 4) return out + ", ... (" + std::to_string(s.size()) + ")";
    out += (out.empty() ? "" : ", ") + p.to_string();
  }
  return out.empty() ? "none" : out;
}

FabricRoute sorted(FabricRoute r) {
  std::sort(r.via.begin(), r.via.end());
  return r;
}

// Each gateway learned what the other cloud announces (Azure's learned routes, the VGW's).
void learned_checks(const Lab& lab, const LabPlan& plan, const json& gateways, Report& r) {
  std::set<Ipv4Prefix> vnet, vpc;
  for (const auto& s : lab.azure.virtual_network.address_space) {
    if (auto p = Ipv4Prefix::parse(s)) vnet.insert(*p);
  }
  if (auto p = Ipv4Prefix::parse(lab.aws.vpc.cidr)) vpc.insert(*p);
  for (const auto& g : plan.gateways) {
    const auto& want = g.cloud == Cloud::azure ? vpc : vnet;
    auto have = learned_prefixes(node_status(gateways, g.node));
    std::set<Ipv4Prefix> missing;
    for (const auto& p : want) {
      if (!have.count(p)) missing.insert(p);
    }
    Check k{"routes",
            g.node + " learned " + (g.cloud == Cloud::azure ? "the VPC" : "the VNet") +
                " prefixes over BGP",
            missing.empty(),
            "learned " + prefixes(have),
            {}};
    if (!k.pass) {
      k.detail += "; missing " + prefixes(missing);
      k.causes = {"no BGP session of " + g.node +
                  " is Connected with routes (see the console "
                  "checks above)"};
    }
    r.add(k);
  }
}

void table_check(const std::string& what, const std::vector<FabricRoute>& want,
                 const std::optional<std::vector<FabricRoute>>& have, const std::string& error,
                 std::vector<std::string> causes, Report& r) {
  std::vector<std::string> missing, wrong, seen;
  for (const auto& w : want) {
    auto it = std::find_if(have ? have->begin() : want.end(), have ? have->end() : want.end(),
                           [&](const FabricRoute& h) { return h.prefix == w.prefix; });
    if (!have || it == have->end()) {
      missing.push_back(describe(w));
    } else if (sorted(*it) != sorted(w)) {
      wrong.push_back(describe(*it) + " (expected " + describe(w) + ")");
    } else {
      seen.push_back(describe(w));
    }
  }
  Check k{"routes", what, have && missing.empty() && wrong.empty(), "", {}};
  if (!have) {
    k.detail = "cannot read: " + error;
  } else {
    std::string d;
    for (const auto& s : seen) d += (d.empty() ? "" : "; ") + s;
    for (const auto& s : missing) d += (d.empty() ? "" : "; ") + ("missing " + s);
    for (const auto& s : wrong) d += (d.empty() ? "" : "; ") + s;
    k.detail = d.empty() ? "no route expected (nothing learned)" : d;
  }
  if (!k.pass) k.causes = std::move(causes);
  r.add(k);
}

}  // namespace

std::vector<FabricRoute> implied_routes(const LabPlan& plan, const json& gateways,
                                        const std::string& netns) {
  LabPlan tutorial = plan;
  for (auto& g : tutorial.gateways) g.route_propagation = true;
  auto all = desired_fabric_routes(tutorial, tutorial.addresses, gateways);
  return all[netns];
}

void route_checks(const Lab& lab, const LabPlan& plan, const json& gateways,
                  const RouteTables& actual, bool supervisor_running, Report& report) {
  learned_checks(lab, plan, gateways, report);
  std::string prefix = plan.underlay.lab + "-";
  table_check("VNet effective routes = the instances' learned routes (ECMP)",
              implied_routes(plan, gateways, prefix + "vnet"), actual.vnet, actual.error,
              vnet_route_causes(supervisor_running), report);
  table_check("VPC route table has the VGW's learned routes (propagated)",
              implied_routes(plan, gateways, prefix + "vpc-host"), actual.vpc, actual.error,
              vpc_route_causes(lab, supervisor_running), report);
}

}  // namespace vpnlab::topology::verify
