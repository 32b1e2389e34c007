#pragma once
// The lab description: the reference Azure <-> AWS setup in the clouds' own vocabulary, so
// that a user who followed the tutorial recognises every field (shared/seed/README.md).
// Resources refer to each other by name; public IPs the clouds would assign are given by
// the lab from RFC 5737 documentation ranges when the file leaves them out.
//
// This is plain data as written by the user (after YAML parsing, before validation). The
// SourceMap remembers where each field was written, so that every validation error can
// name file, line and field.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/secret.hpp"

namespace vpnlab::topology {

/// Where a field was written: "azure.connections[2].shared_key" -> line 88, column 20.
struct SourceLocation {
  int line = 0;  // 1-based; 0 = not from a file (a default)
  int column = 0;
};
using SourceMap = std::map<std::string, SourceLocation>;

// ---- Azure ---------------------------------------------------------------------------------

struct AzureSubnet {
  std::string name;
  std::string address_prefix;  // CIDR text; validated later
};

struct AzureVirtualNetwork {
  std::string name;
  std::vector<std::string> address_space;
  std::vector<AzureSubnet> subnets;
};

struct AzurePublicIp {
  std::string name;
  std::string ip_address;  // empty: assigned by the lab from 203.0.113.0/24
};

struct AzureGatewayBgp {
  bool enabled = true;
  std::int64_t asn = 65515;  // cloud-facts: "Default Azure ASN" [Z-FAQ-BGP]
  // customBgpIpAddresses per instance (ipConfiguration 0 and 1).
  std::vector<std::string> custom_apipa_instance0;
  std::vector<std::string> custom_apipa_instance1;
};

struct AzureVirtualNetworkGateway {
  std::string name;
  std::string gateway_type = "Vpn";
  std::string vpn_type = "RouteBased";
  std::string sku = "VpnGw2";
  std::string generation = "Generation2";
  std::string virtual_network;
  bool active_active = true;
  std::vector<std::string> public_ips;  // names of AzurePublicIp; [0] = instance 0
  AzureGatewayBgp bgp;
};

struct AzureLocalNetworkGatewayBgp {
  std::int64_t asn = 0;
  std::string peer_address;  // the on-premises (here: AWS) BGP address
};

struct AzureLocalNetworkGateway {
  std::string name;
  // An IPv4 address, or a reference to an AWS tunnel: "<vpn connection>.tunnel1|tunnel2".
  std::string gateway_ip_address;
  std::vector<std::string> address_space;
  bool bgp_enabled = true;
  AzureLocalNetworkGatewayBgp bgp;
};

struct AzureIpsecPolicy {
  std::string ike_encryption, ike_integrity, dh_group;
  std::string ipsec_encryption, ipsec_integrity, pfs_group;
  std::int64_t sa_lifetime_seconds = 27000;
  std::int64_t sa_data_size_kilobytes = 102400000;
};

struct AzureConnection {
  std::string name;
  std::string virtual_network_gateway;
  std::string local_network_gateway;
  std::string connection_type = "IPsec";
  std::string connection_protocol = "IKEv2";
  SecretBytes shared_key;
  bool enable_bgp = true;
  bool use_custom_bgp_addresses = false;
  std::string custom_bgp_primary;           // instance 0
  std::string custom_bgp_secondary;         // instance 1
  std::string connection_mode = "Default";  // Default | InitiatorOnly | ResponderOnly
  std::int64_t dpd_timeout_seconds = 45;    // cloud-facts: "DPD timeout" [Z-FAQ-IPSEC]
  std::optional<AzureIpsecPolicy> ipsec_policy;
};

struct Azure {
  std::string resource_group;
  std::string region;
  AzureVirtualNetwork virtual_network;
  std::vector<AzurePublicIp> public_ips;
  AzureVirtualNetworkGateway gateway;
  std::vector<AzureLocalNetworkGateway> local_network_gateways;
  std::vector<AzureConnection> connections;
};

// ---- AWS -----------------------------------------------------------------------------------

struct AwsVpc {
  std::string name;
  std::string cidr;
};

struct AwsVirtualPrivateGateway {
  std::string name;
  std::int64_t amazon_side_asn = 64512;  // cloud-facts: "VGW (Amazon-side) ASN" [A-VGWAPI]
  std::string vpc;
  bool route_propagation = true;
};

struct AwsCustomerGateway {
  std::string name;
  std::int64_t bgp_asn = 65000;  // cloud-facts: "Customer gateway ASN" [A-CGWAPI]
  // An IPv4 address, or the name of an Azure public IP (VNet1GWpip).
  std::string ip_address;
  std::string routing = "dynamic";
};

/// Tunnel options with AWS's defaults (cloud-facts §1.1 [A-TUN]).
struct AwsTunnelOptions {
  std::string inside_cidr;
  SecretBytes pre_shared_key;
  std::string outside_ip_address;  // empty: assigned by the lab from 198.51.100.0/24
  std::vector<std::string> ike_versions = {"ikev2"};
  std::vector<std::string> phase1_encryption = {"AES128", "AES256", "AES128-GCM-16",
                                                "AES256-GCM-16"};
  std::vector<std::string> phase2_encryption = {"AES128", "AES256", "AES128-GCM-16",
                                                "AES256-GCM-16"};
  std::vector<std::string> phase1_integrity = {"SHA1", "SHA2-256", "SHA2-384", "SHA2-512"};
  std::vector<std::string> phase2_integrity = {"SHA1", "SHA2-256", "SHA2-384", "SHA2-512"};
  std::vector<std::int64_t> phase1_dh_groups = {2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
  std::vector<std::int64_t> phase2_dh_groups = {2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
  std::int64_t phase1_lifetime_seconds = 28800;
  std::int64_t phase2_lifetime_seconds = 3600;
  std::int64_t rekey_margin_time_seconds = 540;
  std::int64_t rekey_fuzz_percentage = 100;
  std::int64_t replay_window_size = 1024;
  std::int64_t dpd_timeout_seconds = 30;
  std::string dpd_timeout_action = "clear";  // clear | none | restart
  std::string startup_action = "add";        // add | start
  // cloud-facts 1.1 [TunnelBandwidth]: standard (1.25 Gbps) | large (5 Gbps, not on a VGW).
  std::string tunnel_bandwidth = "standard";
  std::optional<bool> emulate_limits;  // unset: lab.emulate_limits
};

struct AwsVpnConnection {
  std::string name;
  std::string virtual_private_gateway;
  std::string customer_gateway;
  std::string routing = "dynamic";  // dynamic (BGP) | static
  std::string local_ipv4_network_cidr = "0.0.0.0/0";
  std::string remote_ipv4_network_cidr = "0.0.0.0/0";
  std::string tunnel_inside_ip_version = "ipv4";
  std::vector<AwsTunnelOptions> tunnels;  // exactly 2
};

struct Aws {
  std::string region;
  AwsVpc vpc;
  AwsVirtualPrivateGateway virtual_private_gateway;
  std::vector<AwsCustomerGateway> customer_gateways;
  std::vector<AwsVpnConnection> vpn_connections;
};

// ---- The lab ---------------------------------------------------------------------------------

/// Which software runs a gateway node (lab.nodes.<node>). "vpnlab" is the vpnlab gateway
/// process; "strongswan+frr" / "strongswan+bird" are charon (kernel-libipsec) with FRR bgpd or
/// BIRD, configured from the node's plan (the configs `vpnlab export` prints); "external"
/// builds the node's namespace, addresses and configs and runs `command` there (or nothing).
struct NodeSettings {
  std::string implementation = "vpnlab";
  std::string command;  // external only: run with /bin/sh -c in the node's namespace
};

struct LabSettings {
  std::string name = "vpnlab";
  double time_factor = 1.0;  // scales every protocol timer (tests use e.g. 0.01)
  // How CHILD_SAs get their keys: "ike" (IKEv2 with the PSK) or "manual" (fixed SAs derived
  // from the PSK on both ends, like `ip xfrm state`: the dataplane without IKE).
  std::string keying = "ike";
  // Gateways hold the clouds' documented throughput limits (topology/cloud_limits.hpp).
  bool emulate_limits = false;
  // How the gateways carry raw ESP (IP protocol 50) between the clouds' public addresses:
  // raw_socket (protocol-50 sockets), af_packet (packet sockets, dataplane/linux/
  // packet_socket.hpp), or auto (af_packet, else raw_socket with the reason in status).
  std::string esp_transport = "raw_socket";
  std::map<std::string, NodeSettings> nodes;  // azure-gw0 | azure-gw1 | aws-vgw -> settings
};

struct Lab {
  LabSettings lab;
  Azure azure;
  Aws aws;
  std::string file = "<embedded default lab>";
  SourceMap where;
};

}  // namespace vpnlab::topology
