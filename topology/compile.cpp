// The plan compiler: a valid lab description -> one plan per gateway node + the underlay.
// Pure and deterministic; unit-tested against the seed's APIPA table.
#include "topology/cloud_limits.hpp"
#include "topology/plan.hpp"
#include "topology/proposals.hpp"
#include "topology/resolve.hpp"
#include "topology/underlay_plan.hpp"

namespace vpnlab::topology {
namespace {

std::string device_for(TunnelRef t) {
  return "aws" + std::to_string(t.connection) + "t" + std::to_string(t.tunnel + 1);
}

// The Azure address of a connection's tunnel: the custom address of the terminating
// instance, or - the quirk - the first APIPA address of that instance's list when the
// connection selects none (cloud-facts: "APIPA selection quirk" [Z-AWS]).
Ipv4Address azure_bgp_address(const Lab& lab, const AzureConnection& c, int instance,
                              Ipv4Address tunnel_side, Diagnostics& notes, std::size_t index) {
  const auto& list = instance == 0 ? lab.azure.gateway.bgp.custom_apipa_instance0
                                   : lab.azure.gateway.bgp.custom_apipa_instance1;
  if (c.use_custom_bgp_addresses) {
    const std::string& chosen = instance == 0 ? c.custom_bgp_primary : c.custom_bgp_secondary;
    if (auto a = Ipv4Address::parse(chosen)) return *a;
  }
  if (list.empty()) return tunnel_side;
  auto first = *Ipv4Address::parse(list.front());
  if (first != tunnel_side) {
    notes.warning(lab, "azure.connections[" + std::to_string(index) + "]",
                  "no custom BGP address selected: Azure peers from " + first.to_string() +
                      " (the first APIPA address of instance " + std::to_string(instance) +
                      "), not " + tunnel_side.to_string() +
                      "; BGP on this tunnel will not come up");
  }
  return first;
}

GatewayPlan base_plan(const Lab& lab, const std::string& node, Cloud cloud, int instance) {
  GatewayPlan g;
  g.lab = lab.lab.name;
  g.node = node;
  g.netns = lab.lab.name + "-" + node;
  g.cloud = cloud;
  g.instance = instance;
  g.time_factor = lab.lab.time_factor;
  g.keying = lab.lab.keying;
  g.esp_transport = lab.lab.esp_transport;
  if (auto it = lab.lab.nodes.find(node); it != lab.lab.nodes.end()) {
    g.implementation = it->second.implementation;
    g.command = it->second.command;
  }
  return g;
}

void add_azure_tunnel(const Lab& lab, const Resolved& r, std::size_t ci, GatewayPlan& g,
                      LabPlan& out) {
  const AzureConnection& c = lab.azure.connections[ci];
  if (!r.connection_lng[ci]) return;
  const auto& lng = lab.azure.local_network_gateways[*r.connection_lng[ci]];
  auto tref = r.lng_tunnel[*r.connection_lng[ci]];
  if (!tref || tunnel_instance(lab, r, *tref) != g.instance) return;
  const auto& aws_tunnel = lab.aws.vpn_connections[tref->connection].tunnels[tref->tunnel];
  auto inside = *Ipv4Prefix::parse(aws_tunnel.inside_cidr);
  TunnelPlan t;
  t.name = c.name;
  t.device = device_for(*tref);
  t.local_outside = *r.azure_public_ip[*find_named(lab.azure.public_ips,
                                                   lab.azure.gateway.public_ips[g.instance])];
  t.remote_outside = *r.aws_outside[tref->connection][tref->tunnel];
  t.inside = inside;
  t.remote_inside = *Ipv4Address::parse(lng.bgp.peer_address);
  t.local_inside = azure_bgp_address(lab, c, g.instance, inside.network().next(2), out.notes, ci);
  t.psk = c.shared_key;
  // cloud-facts: "Connection modes [connectionMode]" [Z-MODE]
  t.start = c.connection_mode == "ResponderOnly"   ? IkeStart::respond_only
            : c.connection_mode == "InitiatorOnly" ? IkeStart::initiate
                                                   : IkeStart::both;
  if (c.ipsec_policy) {
    t.ike_proposals = azure_policy_ike_proposals(*c.ipsec_policy);
    t.esp_proposals = azure_policy_esp_proposals(*c.ipsec_policy);
    t.child_lifetime_s = c.ipsec_policy->sa_lifetime_seconds;
    t.child_lifetime_kb = c.ipsec_policy->sa_data_size_kilobytes;
  } else {
    t.ike_proposals = azure_default_ike_proposals();
    t.esp_proposals = t.start == IkeStart::initiate ? azure_default_esp_proposals_as_initiator()
                                                    : azure_default_esp_proposals_as_responder();
    // cloud-facts: "Default IPsec (phase 2)": 27,000 s and 102,400,000 KB [Z-DEV]
    t.child_lifetime_s = 27000;
    t.child_lifetime_kb = 102400000;
  }
  t.ike_lifetime_s = 28800;  // cloud-facts: "Lifetimes with custom policy": IKE fixed 28,800 s
  t.rekey_margin_s = 540;
  t.rekey_fuzz_percent = 100;
  t.replay_window = 1024;
  t.dpd_timeout_s = c.dpd_timeout_seconds;
  // Azure's own DPD ("DPD timeout" 45 s default [Z-FAQ-IPSEC]) ends the IKE_SA; a Default or
  // InitiatorOnly connection then dials again, a ResponderOnly one waits for the peer
  // ("Connection modes" [Z-MODE]). Assumed: Azure documents the modes for the first IKE
  // setup only, not what it does after its DPD (README "Recovery").
  t.dpd_action = "restart";
  t.azure_connection = c.name;
  t.aws_vpn_connection = lab.aws.vpn_connections[tref->connection].name;
  t.aws_tunnel_number = static_cast<int>(tref->tunnel) + 1;
  if (c.enable_bgp) {
    BgpNeighborPlan n;
    n.peer = t.remote_inside;
    n.peer_asn = lng.bgp.asn;
    n.local = t.local_inside;
    n.tunnel = t.name;
    n.device = t.device;
    // cloud-facts: "Timers": keepalive 60 s, hold 180 s on the Azure side [Z-TIMER]
    n.hold_time_s = 180;
    n.keepalive_s = 60;
    n.passive = true;       // cloud-facts: "APIPA passivity" [Z-AWS-OLD]
    n.max_prefixes = 4000;  // cloud-facts: "Max prefixes from a peer" [Z-FAQ-BGP]
    n.max_prefix_action = "drop";
    g.bgp_neighbors.push_back(n);
  }
  g.tunnels.push_back(std::move(t));
}

GatewayPlan azure_plan(const Lab& lab, const Resolved& r, int instance, LabPlan& out) {
  GatewayPlan g = base_plan(lab, "azure-gw" + std::to_string(instance), Cloud::azure, instance);
  g.display_name = lab.azure.gateway.name + " (instance " + std::to_string(instance) + ")";
  g.asn = lab.azure.gateway.bgp.asn;
  auto pip = find_named(lab.azure.public_ips, lab.azure.gateway.public_ips[instance]);
  g.public_addresses.push_back(*r.azure_public_ip[*pip]);
  g.router_id = g.public_addresses.front();
  for (const auto& s : lab.azure.virtual_network.address_space) {
    g.announce.push_back(*Ipv4Prefix::parse(s));
    g.reject_equal_to.push_back(*Ipv4Prefix::parse(s));
  }
  g.never_announce_default = true;
  if (lab.lab.emulate_limits) {
    // cloud-facts 2.1: the SKU's aggregate over all tunnels. Each instance holds all of it:
    // one tunnel reaches the aggregate in Azure's own per-tunnel benchmarks (Z-SKUPERF:
    // VpnGw2 Gen2 1.25 Gbps), and the instances are separate processes here, so both
    // loaded at once may carry up to twice the gateway's figure (README says so).
    auto agg = azure_sku_aggregate(lab.azure.gateway.sku, lab.azure.gateway.generation);
    if (agg) g.aggregate_limit_gbps = agg->gbps;
  }
  for (std::size_t ci = 0; ci < lab.azure.connections.size(); ++ci)
    add_azure_tunnel(lab, r, ci, g, out);
  return g;
}

GatewayPlan aws_plan(const Lab& lab, const Resolved& r) {
  GatewayPlan g = base_plan(lab, "aws-vgw", Cloud::aws, 0);
  g.display_name = lab.aws.virtual_private_gateway.name;
  g.asn = lab.aws.virtual_private_gateway.amazon_side_asn;
  g.announce.push_back(*Ipv4Prefix::parse(lab.aws.vpc.cidr));
  g.route_propagation = lab.aws.virtual_private_gateway.route_propagation;
  for (std::size_t c = 0; c < lab.aws.vpn_connections.size(); ++c) {
    const auto& vpn = lab.aws.vpn_connections[c];
    auto cgw = find_named(lab.aws.customer_gateways, vpn.customer_gateway);
    auto instance = r.cgw_instance[*cgw];
    Ipv4Address cgw_ip = instance
                             ? *r.azure_public_ip[*find_named(
                                   lab.azure.public_ips, lab.azure.gateway.public_ips[*instance])]
                             : *Ipv4Address::parse(lab.aws.customer_gateways[*cgw].ip_address);
    for (std::size_t ti = 0; ti < vpn.tunnels.size(); ++ti) {
      const auto& opt = vpn.tunnels[ti];
      TunnelPlan t;
      t.name = vpn.name + ".tunnel" + std::to_string(ti + 1);
      t.device = device_for({c, ti});
      t.local_outside = *r.aws_outside[c][ti];
      g.public_addresses.push_back(t.local_outside);
      t.remote_outside = cgw_ip;
      t.inside = *Ipv4Prefix::parse(opt.inside_cidr);
      t.local_inside = t.inside.network().next(1);  // cloud-facts: "Inside address use" [X-XML]
      t.remote_inside = t.inside.network().next(2);
      t.psk = opt.pre_shared_key;
      t.start = opt.startup_action == "start" ? IkeStart::both : IkeStart::respond_only;
      t.ike_proposals = aws_ike_proposals(opt);
      t.esp_proposals = aws_esp_proposals(opt);
      t.ike_lifetime_s = opt.phase1_lifetime_seconds;
      t.child_lifetime_s = opt.phase2_lifetime_seconds;
      t.rekey_margin_s = opt.rekey_margin_time_seconds;
      t.rekey_fuzz_percent = opt.rekey_fuzz_percentage;
      t.replay_window = opt.replay_window_size;
      t.dpd_timeout_s = opt.dpd_timeout_seconds;
      t.dpd_action = opt.dpd_timeout_action;
      t.aws_vpn_connection = vpn.name;
      t.aws_tunnel_number = static_cast<int>(ti) + 1;
      if (opt.emulate_limits.value_or(lab.lab.emulate_limits)) {
        // cloud-facts 1.3: the VGW holds each tunnel to its bandwidth option's figures.
        ThroughputLimit l = aws_tunnel_limit(opt.tunnel_bandwidth);
        t.limit_gbps = l.gbps;
        t.limit_pps = static_cast<std::int64_t>(l.pps);
      }
      if (vpn.routing == "dynamic") {
        BgpNeighborPlan n;
        n.peer = t.remote_inside;
        n.peer_asn = lab.aws.customer_gateways[*cgw].bgp_asn;
        n.local = t.local_inside;
        n.tunnel = t.name;
        n.device = t.device;
        // cloud-facts: "Hold time" 30 s [X-XML], "Keepalive" 10 s [X-IOS]
        n.hold_time_s = 30;
        n.keepalive_s = 10;
        n.max_prefixes = 100;           // cloud-facts: "Routes a CGW may advertise" [A-QUOTA]
        n.max_prefix_action = "cease";  // "Behaviour when >100" [X-AVX]
        g.bgp_neighbors.push_back(n);
      }
      g.tunnels.push_back(std::move(t));
    }
  }
  g.router_id = g.public_addresses.empty() ? Ipv4Address{} : g.public_addresses.front();
  return g;
}

}  // namespace

std::string ike_start_name(IkeStart s) {
  switch (s) {
    case IkeStart::initiate:
      return "initiate";
    case IkeStart::respond_only:
      return "respond_only";
    case IkeStart::both:
      return "both";
  }
  return "both";
}

LabPlan compile(const Lab& lab) {
  LabPlan out;
  Resolved r = resolve(lab);
  int instances = lab.azure.gateway.active_active ? 2 : 1;
  for (int i = 0; i < instances; ++i) out.gateways.push_back(azure_plan(lab, r, i, out));
  out.gateways.push_back(aws_plan(lab, r));
  out.underlay = plan_underlay(lab, out.gateways);
  out.addresses = lab_addresses(lab);
  return out;
}

}  // namespace vpnlab::topology
