#include "topology/underlay_plan.hpp"

#include "topology/resolve.hpp"

namespace vpnlab::topology {
namespace {

std::string with_len(Ipv4Address a, int len) {
  return a.to_string() + "/" + std::to_string(len);
}

Ipv4Prefix subnet_named(const Lab& lab, const std::string& name, std::size_t fallback_index) {
  const auto& subs = lab.azure.virtual_network.subnets;
  for (const auto& s : subs) {
    if (s.name == name) return *Ipv4Prefix::parse(s.address_prefix);
  }
  return *Ipv4Prefix::parse(subs.at(fallback_index).address_prefix);
}

}  // namespace

LabAddresses lab_addresses(const Lab& lab) {
  LabAddresses a;
  a.gateway_subnet = subnet_named(lab, "GatewaySubnet", 0);
  a.frontend = a.gateway_subnet;
  for (const auto& s : lab.azure.virtual_network.subnets) {
    if (s.name != "GatewaySubnet") {
      a.frontend = *Ipv4Prefix::parse(s.address_prefix);
      break;
    }
  }
  a.vnet_router_frontend = a.frontend.network().next(1);
  a.vm = a.frontend.network().next(4);
  a.vnet_router_gwsubnet = a.gateway_subnet.network().next(1);
  a.azure_instances = {a.gateway_subnet.network().next(4), a.gateway_subnet.network().next(5)};
  auto vpc = *Ipv4Prefix::parse(lab.aws.vpc.cidr);
  a.vpc_subnet = vpc.length < 24 ? Ipv4Prefix{vpc.network(), 24} : vpc;
  a.vpc_router = a.vpc_subnet.network().next(1);
  a.vpc_host = a.vpc_subnet.network().next(4);
  return a;
}

UnderlayPlan plan_underlay(const Lab& lab, const std::vector<GatewayPlan>& gateways) {
  UnderlayPlan u;
  u.lab = lab.lab.name;
  const std::string p = lab.lab.name + "-";
  LabAddresses a = lab_addresses(lab);
  auto node = [&](const std::string& role, bool fwd) {
    u.nodes.push_back({role, p + role, fwd});
    return p + role;
  };
  std::string vm = node("vnet-vm", false);
  std::string vnet = node("vnet", true);
  std::string inet = node("internet", true);
  std::string router_az = kAzurePublicRange.network().next(1).to_string();
  std::string router_aws = kAwsPublicRange.network().next(1).to_string();

  // Azure VNet: the VM on FrontEnd, the fabric routes between subnets; GatewaySubnet is a
  // bridge in the fabric namespace so both instances share it.
  u.links.push_back(
      {{vm, "eth0", {with_len(a.vm, a.frontend.length)}, ""},
       {vnet, "frontend", {with_len(a.vnet_router_frontend, a.frontend.length)}, ""}});
  u.routes.push_back({vm, *Ipv4Prefix::parse("0.0.0.0/0"), a.vnet_router_frontend});
  u.bridges.push_back(
      {vnet, "gwsubnet", {with_len(a.vnet_router_gwsubnet, a.gateway_subnet.length)}});
  u.bridges.push_back({inet, "azure", {router_az + "/24"}});
  u.bridges.push_back({inet, "aws", {router_aws + "/24"}});

  for (const auto& g : gateways) {
    std::string ns = node(g.node, true);
    std::vector<std::string> wan;
    for (auto ip : g.public_addresses) wan.push_back(with_len(ip, 24));
    if (g.cloud == Cloud::azure) {
      std::string short_name = "gw" + std::to_string(g.instance);
      u.links.push_back(
          {{ns, "vnet", {with_len(a.azure_instances[g.instance], a.gateway_subnet.length)}, ""},
           {vnet, short_name, {}, "gwsubnet"}});
      u.links.push_back({{ns, "wan", wan, ""}, {inet, "az-" + short_name, {}, "azure"}});
      u.routes.push_back({ns, *Ipv4Prefix::parse("0.0.0.0/0"), *Ipv4Address::parse(router_az)});
      // The VNet is reached through the fabric, not the internet.
      for (const auto& space : lab.azure.virtual_network.address_space) {
        u.routes.push_back({ns, *Ipv4Prefix::parse(space), a.vnet_router_gwsubnet});
      }
    } else {
      u.links.push_back({{ns, "wan", wan, ""}, {inet, "aws-vgw", {}, "aws"}});
      u.routes.push_back({ns, *Ipv4Prefix::parse("0.0.0.0/0"), *Ipv4Address::parse(router_aws)});
      std::string host = node("vpc-host", false);
      u.links.push_back({{ns, "vpc", {with_len(a.vpc_router, a.vpc_subnet.length)}, ""},
                         {host, "eth0", {with_len(a.vpc_host, a.vpc_subnet.length)}, ""}});
      // No default route: the VPC route table gets the VGW's routes only by propagation
      // (topology/fabric.hpp), as in AWS.
    }
  }
  return u;
}

}  // namespace vpnlab::topology
