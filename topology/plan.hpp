#pragma once
// Plans: what the compiler makes of a valid lab description. One GatewayPlan per gateway
// node (Azure instance 0, Azure instance 1, the AWS virtual private gateway) - plain data,
// written as a file that `vpnlab gateway --config PLAN` reads, so gateways never parse the
// lab description - and one UnderlayPlan for the lab's namespaces, links and routes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"
#include "topology/diagnostics.hpp"

namespace vpnlab::topology {

enum class Cloud { azure, aws };

/// Who starts IKE for a tunnel. cloud-facts: "Connection modes" [Z-MODE] and "Startup action"
/// [A-TUN]: responder_only never initiates, not even after a failure.
enum class IkeStart { initiate, respond_only, both };

struct TunnelPlan {
  std::string name;    // the cloud object: Azure connection name / "<AWS VPN>.tunnelN"
  std::string device;  // TUN device, e.g. aws0t1 (same name on both ends)
  Ipv4Address local_outside, remote_outside;
  Ipv4Prefix inside;                        // the /30
  Ipv4Address local_inside, remote_inside;  // APIPA addresses (AWS .1/.5, Azure .2/.6)
  SecretBytes psk;
  IkeStart start = IkeStart::both;
  // strongSwan proposal syntax: one string per proposal, e.g. "aes256-sha256-modp2048".
  std::vector<std::string> ike_proposals;
  std::vector<std::string> esp_proposals;
  std::int64_t ike_lifetime_s = 28800;
  std::int64_t child_lifetime_s = 3600;
  std::int64_t child_lifetime_kb = 0;  // 0 = none
  std::int64_t rekey_margin_s = 540;
  std::int64_t rekey_fuzz_percent = 100;
  std::int64_t replay_window = 1024;
  std::int64_t dpd_timeout_s = 30;
  std::string dpd_action = "clear";  // clear | none | restart
  std::string aws_vpn_connection;    // AWS VPN connection this tunnel belongs to
  int aws_tunnel_number = 0;         // 1 or 2
  std::string azure_connection;      // Azure connection object
  // Emulated cloud limit for this tunnel, per direction (0: none). cloud_limits.hpp.
  double limit_gbps = 0;
  std::int64_t limit_pps = 0;
};

struct BgpNeighborPlan {
  Ipv4Address peer;
  std::int64_t peer_asn = 0;
  Ipv4Address local;
  std::string tunnel;  // TunnelPlan::name whose device carries the session
  std::string device;
  std::int64_t hold_time_s = 30;
  std::int64_t keepalive_s = 10;
  bool passive = false;  // never opens the TCP connection itself
  std::int64_t max_prefixes = 0;
  std::string max_prefix_action;  // "cease" (AWS: NOTIFICATION Cease/1, Idle) | "drop" (Azure)
};

/// A gateway on a host interface instead of a lab namespace (the plan's `underlay:`
/// section): it runs in the namespace it is started in, on `interface`, holding `addresses`
/// (added if missing, removed on exit if it added them), and reaches the tunnels' remote
/// outside addresses on the interface's subnet or, with `gateway`, through that router.
struct HostUnderlay {
  std::string interface;              // underlay.host
  std::vector<Ipv4Prefix> addresses;  // underlay.address: A.B.C.D/N (host bits kept)
  std::optional<Ipv4Address> gateway;
};

struct GatewayPlan {
  std::string lab;
  std::string node;   // azure-gw0 | azure-gw1 | aws-vgw
  std::string netns;  // <lab>-<node>
  Cloud cloud = Cloud::azure;
  int instance = 0;          // Azure instance; 0 for AWS
  std::string display_name;  // VNet1GW (instance 0) / AzureGW
  std::int64_t asn = 0;
  Ipv4Address router_id;
  std::vector<Ipv4Address> public_addresses;
  std::vector<TunnelPlan> tunnels;
  std::vector<BgpNeighborPlan> bgp_neighbors;
  std::vector<Ipv4Prefix> announce;         // VNet address space / VPC CIDR
  bool never_announce_default = false;      // cloud-facts: Azure "never the default route"
  std::vector<Ipv4Prefix> reject_equal_to;  // cloud-facts: Azure rejects VNet-equal prefixes
  bool route_propagation = true;
  double time_factor = 1.0;
  // Emulated aggregate over all tunnels, per direction (0: none): an Azure SKU's, shared by
  // the active/active instances.
  double aggregate_limit_gbps = 0;
  std::string keying = "ike";                // ike | manual (LabSettings::keying)
  std::string esp_transport = "raw_socket";  // raw_socket | af_packet | auto (LabSettings)
  // Who runs this node (lab.nodes): vpnlab | strongswan+frr | strongswan+bird | external.
  std::string implementation = "vpnlab";
  std::string command;  // external: run with /bin/sh -c in the node's namespace ("" = none)
  std::optional<HostUnderlay> underlay;  // set: on a host interface, no lab namespace
};

/// Writes a plan as YAML (it holds PSKs: the caller makes the file 0600).
std::string plan_to_yaml(const GatewayPlan& plan);
/// Reads a plan written by plan_to_yaml; errors name the field.
Checked<GatewayPlan> plan_from_yaml(const std::string& text);

// ---- underlay ----------------------------------------------------------------------------

struct NodePlan {
  std::string role;   // vnet-vm, vnet, azure-gw0, azure-gw1, internet, aws-vgw, vpc-host
  std::string netns;  // <lab>-<role>
  bool forwarding = false;
};

struct LinkEnd {
  std::string netns, device;
  std::vector<std::string> addresses;  // "10.1.1.4/24"
  std::string bridge;                  // enslave to this bridge (in netns) instead of addresses
};

struct LinkPlan {
  LinkEnd a, b;  // a veth pair
};

struct BridgePlan {
  std::string netns, device;
  std::vector<std::string> addresses;
};

struct RoutePlan {
  std::string netns;
  Ipv4Prefix prefix;
  Ipv4Address via;
};

struct UnderlayPlan {
  std::string lab;
  std::vector<NodePlan> nodes;
  std::vector<BridgePlan> bridges;
  std::vector<LinkPlan> links;
  std::vector<RoutePlan> routes;
  std::vector<std::pair<std::string, std::string>> extra_addresses;  // netns, "addr/len" on lo
};

/// Lab-side addresses derived from the description (first usable hosts as each cloud
/// assigns them: Azure and AWS both reserve the first four addresses of a subnet).
struct LabAddresses {
  Ipv4Prefix frontend, gateway_subnet, vpc_subnet;
  Ipv4Address vm, vnet_router_frontend, vnet_router_gwsubnet;
  std::vector<Ipv4Address> azure_instances;  // in GatewaySubnet
  Ipv4Address vpc_router, vpc_host;
};

struct LabPlan {
  std::vector<GatewayPlan> gateways;
  UnderlayPlan underlay;
  LabAddresses addresses;
  Diagnostics notes;  // warnings the compiler reproduces (e.g. the APIPA selection quirk)
};

/// Compiles a lab that validate() accepted. Pure: same lab, same plan.
LabPlan compile(const Lab& lab);

std::string ike_start_name(IkeStart s);

}  // namespace vpnlab::topology
