#include <gtest/gtest.h>

#include <map>

#include "lab_test_util.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {
namespace {

// The reference lab is the tutorial's: AWS dpd_timeout_action clear + Azure ResponderOnly, so
// its only findings are the four tunnels that would not come back after a failure (issue 11).
TEST(DefaultLab, LoadsAndValidatesWithOnlyTheRecoveryWarnings) {
  auto d = check_text(default_lab_yaml());
  EXPECT_EQ(d.error_count(), 0u) << d.format("default");
  EXPECT_EQ(d.warning_count(), 4u) << d.format("default");
  for (const auto& w : d.items()) {
    EXPECT_NE(w.path.find(".dpd_timeout_action"), std::string::npos) << w.path;
    EXPECT_NE(w.message.find("will not come back by itself"), std::string::npos) << w.message;
  }
}

TEST(DefaultLab, ValidatesCleanWithDpdRestart) {
  auto d = check_text(
      mutated("          startup_action: start",
              "          startup_action: start\n          dpd_timeout_action: restart", 4));
  EXPECT_EQ(d.items().size(), 0u) << d.format("restart");
}

struct Case {
  const char* name;
  const char* from;
  const char* to;
  const char* path;     // part of the expected field path
  const char* message;  // part of the expected message
  Severity severity = Severity::error;
};

// One bad input per rule: the tutorial's (seed/README.md) and the clouds' (cloud-facts §4.1).
const Case kCases[] = {
    // --- tutorial rules
    {"inside CIDR not a /30", "inside_cidr: 169.254.21.0/30", "inside_cidr: 169.254.21.0/29",
     "tunnels[0].inside_cidr", "must be a /30"},
    {"inside CIDR outside 169.254/16", "inside_cidr: 169.254.21.0/30", "inside_cidr: 10.0.0.0/30",
     "tunnels[0].inside_cidr", "169.254.0.0/16"},
    {"inside CIDR outside Azure APIPA range", "inside_cidr: 169.254.21.0/30",
     "inside_cidr: 169.254.30.0/30", "tunnels[0].inside_cidr", "Azure's APIPA range"},
    {"AWS takes the first address: LNG peer must be .1", "peer_address: 169.254.21.1}",
     "peer_address: 169.254.21.3}", "local_network_gateways[0].bgp.peer_address",
     "first usable address"},
    {"Azure APIPA address overlaps the AWS side", "instance0: [169.254.21.2, 169.254.22.2]",
     "instance0: [169.254.21.1, 169.254.22.2]", "instance0[0]", "AWS side"},
    {"active/standby with several APIPA addresses", "active_active: true", "active_active: false",
     "custom_apipa_addresses.instance0", "only one custom APIPA"},
    {"Azure ASN equals AWS ASN", "amazon_side_asn: 64512", "amazon_side_asn: 65000",
     "amazon_side_asn", "different ASNs"},
    {"customer gateway ASN is not the Azure ASN", "bgp_asn: 65000", "bgp_asn: 65001",
     "customer_gateways[0].bgp_asn", "Azure VPN gateway's ASN"},
    {"LNG ASN is not the AWS ASN", "{asn: 64512, peer_address: 169.254.21.1}",
     "{asn: 64513, peer_address: 169.254.21.1}", "local_network_gateways[0].bgp.asn",
     "virtual private gateway's ASN"},
    {"VNet and VPC overlap", "cidr: 10.2.0.0/16", "cidr: 10.1.128.0/17", "aws.vpc.cidr",
     "overlaps the Azure VNet"},
    {"connection selects no custom address (quirk)",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.22.2, secondary: 169.254.21.6}",
     "custom_bgp_addresses: {enabled: false}", "azure.connections[1]",
     "Azure uses the first, 169.254.21.2", Severity::warning},
    {"custom address does not match the tunnel",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.22.2, secondary: 169.254.21.6}",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.21.2, secondary: 169.254.21.6}",
     "connections[1].custom_bgp_addresses.primary",
     "Azure's address on that tunnel is 169.254.22.2"},
    {"instance 1 uses only the secondary address",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.21.2, secondary: 169.254.22.6}",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.22.6, secondary: 169.254.21.6}",
     "connections[3].custom_bgp_addresses.secondary", "169.254.22.6"},
    {"unused custom address must still be valid",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.21.2, secondary: 169.254.21.6}",
     "custom_bgp_addresses: {enabled: true, primary: 169.254.21.2, secondary: 10.0.0.1}",
     "connections[0].custom_bgp_addresses.secondary", "other instance's APIPA"},
    {"PSK differs between the clouds", "shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9",
     "shared_key: vpnlab.Tunnel1.Instance0_WRONG", "connections[0].shared_key",
     "AUTHENTICATION_FAILED"},
    {"tunnel served by no local network gateway", "gateway_ip_address: ToAzureInstance0.tunnel1",
     "gateway_ip_address: ToAzureInstance9.tunnel1", "gateway_ip_address", "names no AWS tunnel"},
    {"add + ResponderOnly never comes up",
     "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9\n          startup_action: start",
     "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9\n          startup_action: add",
     "connections[0].connection_mode", "never comes up", Severity::warning},
    {"nobody re-initiates after a failure (clear + ResponderOnly)",
     "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9\n          startup_action: start",
     "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9\n          startup_action: start\n"
     "          dpd_timeout_action: clear",
     "vpn_connections[0].tunnels[0].dpd_timeout_action",
     "set dpd_timeout_action: restart on AWS tunnel ToAzureInstance0.tunnel1, or "
     "connection_mode: Default on Azure connection AWSTunnel1ToInstance0",
     Severity::warning},
    // --- AWS documented rules
    {"AWS reserved inside CIDR", "inside_cidr: 169.254.21.0/30", "inside_cidr: 169.254.5.0/30",
     "tunnels[0].inside_cidr", "reserved by AWS"},
    {"inside CIDR reused on the VGW", "inside_cidr: 169.254.22.0/30",
     "inside_cidr: 169.254.21.0/30", "tunnels[1].inside_cidr", "already used"},
    {"PSK too short", "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9", "pre_shared_key: abc",
     "tunnels[0].pre_shared_key", "8 to 64"},
    {"PSK bad character", "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9",
     "pre_shared_key: vpnlab-Tunnel1", "tunnels[0].pre_shared_key", "letters, digits"},
    {"PSK starts with 0", "pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9",
     "pre_shared_key: 0vpnlab.Tunnel1", "tunnels[0].pre_shared_key", "start with '0'"},
    {"phase 2 lifetime out of range", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          phase2_lifetime_seconds: 7200\n    - name: ToAzureInstance1",
     "phase2_lifetime_seconds", "900-3600"},
    {"phase 2 lifetime not below phase 1", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          phase1_lifetime_seconds: 1800\n          "
     "phase2_lifetime_seconds: 1800\n    - name: ToAzureInstance1",
     "phase2_lifetime_seconds", "less than phase1"},
    {"rekey margin above half phase 2", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          rekey_margin_time_seconds: 2000\n    - name: "
     "ToAzureInstance1",
     "rekey_margin_time_seconds", "half the phase 2"},
    {"replay window out of range", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          replay_window_size: 4096\n    - name: ToAzureInstance1",
     "replay_window_size", "64-2048"},
    {"DPD below 30 s", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          dpd_timeout_seconds: 10\n    - name: ToAzureInstance1",
     "tunnels[1].dpd_timeout_seconds", "minimum of 30"},
    {"large tunnels are not for a VGW", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          tunnel_bandwidth: large\n    - name: ToAzureInstance1",
     "tunnels[1].tunnel_bandwidth", "not available on a virtual private gateway"},
    {"tunnel bandwidth unknown", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          tunnel_bandwidth: huge\n    - name: ToAzureInstance1",
     "tunnel_bandwidth", "standard, large"},
    {"DPD action unknown", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          dpd_timeout_action: reboot\n    - name: ToAzureInstance1",
     "dpd_timeout_action", "clear, none, restart"},
    {"phase 1 DH group 5 is phase 2 only", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          phase1_dh_groups: [5, 14]\n    - name: ToAzureInstance1",
     "phase1_dh_groups[0]", "phase 2 only"},
    {"unknown phase 1 cipher", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          phase1_encryption: [3DES]\n    - name: ToAzureInstance1",
     "phase1_encryption[0]", "not allowed"},
    {"startup start needs IKEv2", "startup_action: start\n    - name: ToAzureInstance1",
     "startup_action: start\n          ike_versions: [ikev1]\n    - name: ToAzureInstance1",
     "tunnels[1].startup_action", "needs ikev2"},
    {"VGW ASN not private", "amazon_side_asn: 64512", "amazon_side_asn: 3000", "amazon_side_asn",
     "not a private ASN"},
    {"CGW ASN reserved by AWS", "bgp_asn: 65000", "bgp_asn: 7224", "customer_gateways[0].bgp_asn",
     "reserved by AWS"},
    {"VPN connection with one tunnel",
     "        - inside_cidr: 169.254.22.4/30\n          pre_shared_key: "
     "vpnlab.Tunnel2.Instance1_Vd9Je5Gu\n          startup_action: start\n",
     "", "vpn_connections[1].tunnels", "exactly 2"},
    // --- Azure documented rules
    {"Azure reserved ASN on the on-premises side", "{asn: 64512, peer_address: 169.254.21.1}",
     "{asn: 65515, peer_address: 169.254.21.1}", "local_network_gateways[0].bgp.asn",
     "reserved by Azure"},
    {"IANA documentation ASN", "    bgp:\n      enabled: true\n      asn: 65000",
     "    bgp:\n      enabled: true\n      asn: 64500", "virtual_network_gateway.bgp.asn",
     "documentation"},
    {"APIPA address outside Azure's range", "instance1: [169.254.21.6, 169.254.22.6]",
     "instance1: [169.254.21.6, 169.254.23.6]", "instance1[1]", "169.254.21.0 - 169.254.22.255"},
    {"Azure DPD out of range", "connection_mode: ResponderOnly",
     "connection_mode: ResponderOnly\n      dpd_timeout_seconds: 5",
     "connections[0].dpd_timeout_seconds", "9-3600"},
    {"Azure shared key with '~'", "shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9",
     "shared_key: vpnlab~Tunnel1", "connections[0].shared_key", "except space"},
    {"unknown connection mode", "connection_mode: ResponderOnly", "connection_mode: Passive",
     "connections[0].connection_mode", "Default, InitiatorOnly, ResponderOnly"},
    {"partial custom IPsec policy", "connection_mode: ResponderOnly",
     "connection_mode: ResponderOnly\n      ipsec_policy: {ike_encryption: AES256}",
     "ipsec_policy.ike_integrity", "every field"},
    {"Basic SKU has no BGP", "sku: VpnGw2", "sku: Basic", "virtual_network_gateway.sku",
     "neither BGP nor active/active"},
    {"active/active needs two public IPs", "public_ips: [VNet1GWpip, VNet1GWpip2]",
     "public_ips: [VNet1GWpip]", "virtual_network_gateway.public_ips", "exactly 2"},
    {"no GatewaySubnet", "name: GatewaySubnet", "name: GwSubnet", "subnets", "GatewaySubnet"},
    // --- lab rules
    {"public IP outside the lab's Azure range", "    - name: VNet1GWpip\n",
     "    - name: VNet1GWpip\n      ip_address: 192.0.2.10\n", "public_ips[0].ip_address",
     "outside the lab's Azure public range"},
    {"public IP used twice", "    - name: VNet1GWpip\n    - name: VNet1GWpip2\n",
     "    - name: VNet1GWpip\n      ip_address: 203.0.113.50\n    - name: VNet1GWpip2\n"
     "      ip_address: 203.0.113.50\n",
     "public_ips[1].ip_address", "already used"},
    {"keying unknown", "  time_factor: 1", "  time_factor: 1\n  keying: psk", "lab.keying",
     "ike, manual"},
    {"ESP transport unknown", "  time_factor: 1", "  time_factor: 1\n  esp_transport: xdp",
     "lab.esp_transport", "raw_socket, af_packet, auto"},
    // --- lab.nodes: which software runs a gateway node
    {"node implementation misspelled", "  time_factor: 1",
     "  time_factor: 1\n  nodes:\n    azure-gw0: {implementation: strongswan+fr}",
     "lab.nodes.azure-gw0.implementation", "did you mean 'strongswan+frr'?"},
    {"unknown gateway node", "  time_factor: 1",
     "  time_factor: 1\n  nodes:\n    azure-gw3: {implementation: strongswan+frr}",
     "lab.nodes.azure-gw3", "did you mean 'azure-gw0'?"},
    {"command on a non-external node", "  time_factor: 1",
     "  time_factor: 1\n  nodes:\n    aws-vgw: {implementation: strongswan+bird, command: x}",
     "lab.nodes.aws-vgw.command", "only an external node runs a command"},
    {"strongSwan needs IKE keying", "  time_factor: 1",
     "  time_factor: 1\n  keying: manual\n  nodes:\n    aws-vgw: {implementation: "
     "strongswan+bird}",
     "lab.nodes.aws-vgw.implementation", "needs lab.keying: ike"},
    {"node field misspelled", "  time_factor: 1",
     "  time_factor: 1\n  nodes:\n    aws-vgw: {implementaton: external}",
     "lab.nodes.aws-vgw.implementaton", "did you mean 'implementation'"},
    // --- references and syntax
    {"dangling LNG reference", "local_network_gateway: AWSTunnel1ToInstance0",
     "local_network_gateway: Nope", "connections[0].local_network_gateway", "names no entry"},
    {"CIDR with host bits", "cidr: 10.2.0.0/16", "cidr: 10.2.0.1/16", "aws.vpc.cidr",
     "did you mean 10.2.0.0/16"},
    {"misspelled field", "shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9",
     "sharedkey: vpnlab.Tunnel1.Instance0_q7Xm2Kp9", "connections[0].sharedkey",
     "did you mean 'shared_key'"},
    {"wrong type", "amazon_side_asn: 64512", "amazon_side_asn: lots", "amazon_side_asn",
     "expected an integer"},
};

TEST(Validate, EveryRuleHasAClearError) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto d = check_text(mutated(c.from, c.to));
    const Diagnostic* hit = find_diag(d, c.severity, c.path, c.message);
    ASSERT_NE(hit, nullptr) << "expected '" << c.message << "' at " << c.path << "; got:\n"
                            << d.format("lab.yaml");
    EXPECT_GT(hit->where.line, 0) << "the finding must carry a line number";
  }
}

TEST(Validate, NodeImplementationsReachThePlan) {
  std::string yaml = mutated("  time_factor: 1",
                             "  time_factor: 1\n  nodes:\n    azure-gw1: {implementation: "
                             "strongswan+frr}\n    aws-vgw: {implementation: external, command: "
                             "\"sleep 1\"}");
  auto loaded = load_lab_text(yaml, "lab.yaml");
  ASSERT_TRUE(loaded.lab);
  EXPECT_TRUE(validate(*loaded.lab).ok()) << validate(*loaded.lab).format("lab.yaml");
  auto plan = compile(*loaded.lab);
  std::map<std::string, std::string> impl;
  for (const auto& g : plan.gateways) impl[g.node] = g.implementation;
  EXPECT_EQ(impl["azure-gw0"], "vpnlab");
  EXPECT_EQ(impl["azure-gw1"], "strongswan+frr");
  EXPECT_EQ(impl["aws-vgw"], "external");
  auto back = plan_from_yaml(plan_to_yaml(plan.gateways[2]));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->implementation, "external");
  EXPECT_EQ(back->command, "sleep 1");
}

TEST(Validate, ErrorsPointAtTheLineOfTheField) {
  std::string yaml = mutated("amazon_side_asn: 64512", "amazon_side_asn: 3000");
  auto d = check_text(yaml);
  const Diagnostic* hit = find_diag(d, Severity::error, "amazon_side_asn", "private ASN");
  ASSERT_NE(hit, nullptr);
  // Count the line in the text itself.
  std::size_t at = yaml.find("amazon_side_asn: 3000");
  int line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + at, '\n'));
  EXPECT_EQ(hit->where.line, line);
  std::string text = d.format("lab.yaml");
  EXPECT_NE(text.find("lab.yaml:" + std::to_string(line) + ":"), std::string::npos) << text;
}

TEST(Validate, MessagesNeverQuoteSecrets) {
  auto d = check_text(
      mutated("shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9", "shared_key: Sup3r~Secret~Key"));
  std::string text = d.format("lab.yaml");
  EXPECT_NE(text.find("shared_key"), std::string::npos);
  EXPECT_EQ(text.find("Sup3r"), std::string::npos) << text;
}

TEST(Load, YamlSyntaxErrorHasLine) {
  auto r = load_lab_text("lab:\n  name: [unclosed\n", "bad.yaml");
  EXPECT_FALSE(r.lab.has_value());
  ASSERT_FALSE(r.diagnostics.ok());
  EXPECT_GT(r.diagnostics.items()[0].where.line, 0);
  EXPECT_NE(r.diagnostics.format("bad.yaml").find("YAML syntax"), std::string::npos);
}

TEST(Load, MissingFileIsAnError) {
  auto r = load_lab_file("/nonexistent/lab.yaml");
  ASSERT_FALSE(r.diagnostics.ok());
  EXPECT_NE(r.diagnostics.format("x").find("/nonexistent/lab.yaml"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::topology
