// The VNet VM reaches the VPC host: one ICMP echo check, and UDP flows spread over every path
// the routes allow (the VNet's ECMP route over the instances, each instance's routes over its
// tunnels - cloud-facts §2.2 "Azure->on-prem traffic uses both tunnels" [Z-AA]), each path
// passing when its Azure tunnel's transmit counter grew by at least one flow's datagrams.
#include "topology/reachability.hpp"
#include "topology/verify/causes.hpp"
#include "topology/verify/datapath.hpp"
#include "topology/verify/evidence.hpp"
#include "topology/verify/flows.hpp"

namespace vpnlab::topology::verify {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr int kFlows = 64;   // 4 paths: one misses every flow with p = 4 * (3/4)^64
constexpr int kPerFlow = 5;  // above the 1-2 BGP keepalives a tunnel may add meanwhile
constexpr std::uint16_t kPort = 47123;

struct Path {
  std::string node, device, tunnel;
};

// Azure tunnels the routes allow towards `host`: the instance is a next hop of the VNet's
// route to it, and the tunnel's BGP peer gave the instance a route covering it.
std::vector<Path> allowed_paths(const LabPlan& plan, const json& gateways,
                                const RouteTables& tables, Ipv4Address host) {
  std::vector<Path> out;
  if (!tables.vnet) return out;
  for (const auto& g : plan.gateways) {
    if (g.cloud != Cloud::azure) continue;
    bool next_hop = false;
    for (const auto& route : *tables.vnet) {
      if (!route.prefix.contains(host)) continue;
      for (auto via : route.via)
        next_hop = next_hop || via == plan.addresses.azure_instances.at(g.instance);
    }
    if (!next_hop) continue;
    for (const auto& t : g.tunnels) {
      const json* peer = bgp_peer(node_status(gateways, g.node), t.remote_inside.to_string());
      bool covers = false;
      for (const auto& lr : peer ? peer->value("learnedRoutes", json::array()) : json::array()) {
        auto p = Ipv4Prefix::parse(lr.value("network", ""));
        covers = covers || (p && p->contains(host));
      }
      if (covers) out.push_back({g.node, t.device, t.name});
    }
  }
  return out;
}

std::vector<std::string> unreachable_causes(const Lab& lab, const LabPlan& plan,
                                            const json& gateways, const RouteTables& tables,
                                            bool supervisor_running) {
  std::vector<std::string> out;
  bool any_up = false;
  for (const auto& e : tunnel_ends(plan, gateways)) any_up = any_up || e.up();
  if (!any_up) out.push_back("no tunnel is UP on both ends (see the console checks)");
  auto covers = [](const std::optional<std::vector<FabricRoute>>& t, Ipv4Address a) {
    if (!t) return false;
    for (const auto& r : *t) {
      if (r.prefix.contains(a)) return true;
    }
    return false;
  };
  if (!covers(tables.vnet, plan.addresses.vpc_host)) {
    out.push_back("the VNet has no route to " + plan.addresses.vpc_host.to_string());
    for (auto& c : vnet_route_causes(supervisor_running)) out.push_back(c);
  }
  if (!covers(tables.vpc, plan.addresses.vm)) {
    out.push_back("the VPC route table has no route back to " + plan.addresses.vm.to_string());
    for (auto& c : vpc_route_causes(lab, supervisor_running)) out.push_back(c);
  }
  if (out.empty()) out.push_back("routes and tunnels look right; packets are lost on the way");
  return out;
}

}  // namespace

void vm_to_host_checks(const Lab& lab, const LabPlan& plan, const GatewayQuery& query,
                       const RouteTables& tables, bool supervisor_running, Report& r) {
  const std::string vm_ns = plan.underlay.lab + "-vnet-vm";
  const std::string host_ns = plan.underlay.lab + "-vpc-host";
  Ipv4Address vm = plan.addresses.vm, host = plan.addresses.vpc_host;
  json gateways = query();
  int answered = 0;
  for (int i = 0; i < 3; ++i) answered += icmp_probe(vm_ns, host, milliseconds(1000)) ? 1 : 0;
  Check ping{"data path",
             "VNet VM " + vm.to_string() + " pings VPC host " + host.to_string(),
             answered == 3,
             std::to_string(answered) + "/3 ICMP echoes answered",
             {}};
  if (!ping.pass) ping.causes = unreachable_causes(lab, plan, gateways, tables, supervisor_running);
  r.add(ping);

  auto paths = allowed_paths(plan, gateways, tables, host);
  json before = query();
  auto flows = run_flows({vm_ns, vm}, {host_ns, host}, kPort, kFlows, kPerFlow, milliseconds(2000));
  json after = query();
  Check all{"data path", "VNet VM -> VPC host UDP flows come back", false, "", {}};
  if (!flows) {
    all.detail = flows.error().message;
  } else {
    all.pass = flows->flows_echoed == flows->flows;
    all.detail = std::to_string(flows->flows_arrived) + "/" + std::to_string(flows->flows) +
                 " flows reached the host, " + std::to_string(flows->flows_echoed) + " came back";
  }
  if (!all.pass) all.causes = unreachable_causes(lab, plan, gateways, tables, supervisor_running);
  r.add(all);
  if (paths.empty()) {
    r.add({"data path", "VNet VM -> VPC host: a path the routes allow", false,
           "no Azure instance has both a VNet route and a BGP route to " + host.to_string(),
           unreachable_causes(lab, plan, gateways, tables, supervisor_running)});
    return;
  }
  for (const auto& p : paths) {
    std::int64_t tx = grew(before, after, p.node, p.device, "tx");
    Check k{"data path",
            "path via " + p.node + " tunnel " + p.tunnel + " (" + p.device + ")",
            flows && tx >= kPerFlow,
            "Azure end tx +" + std::to_string(tx) + " during the flows",
            {}};
    if (!k.pass) {
      k.causes = {"the routes allow this path but no flow took it: " + p.node +
                  "'s kernel routes leave it out, or ECMP hashing does (the underlay sets "
                  "net.ipv4.fib_multipath_hash_policy 3 with different fields per hop; a "
                  "kernel before 5.12 lacks it)"};
    }
    r.add(k);
  }
}

}  // namespace vpnlab::topology::verify
