#include <gtest/gtest.h>

#include "lab_test_util.hpp"
#include "topology/plan.hpp"
#include "topology/proposals.hpp"

namespace vpnlab::topology {
namespace {

LabPlan compile_text(const std::string& yaml) {
  auto loaded = load_lab_text(yaml, "lab.yaml");
  EXPECT_TRUE(loaded.lab.has_value());
  return compile(*loaded.lab);
}

const GatewayPlan& node(const LabPlan& p, const std::string& name) {
  for (const auto& g : p.gateways) {
    if (g.node == name) return g;
  }
  ADD_FAILURE() << "no node " << name;
  return p.gateways.front();
}

const TunnelPlan& tunnel(const GatewayPlan& g, const std::string& device) {
  for (const auto& t : g.tunnels) {
    if (t.device == device) return t;
  }
  ADD_FAILURE() << "no tunnel " << device << " on " << g.node;
  return g.tunnels.front();
}

// The seed's APIPA plan (shared/seed/README.md):
//   tunnel                          Azure APIPA    AWS peer       inside CIDR
struct ApipaRow {
  const char* azure_node;
  const char* device;
  const char* aws_tunnel;
  const char* azure_addr;
  const char* aws_addr;
  const char* inside;
};
const ApipaRow kSeedApipa[] = {
    {"azure-gw0", "aws0t1", "ToAzureInstance0.tunnel1", "169.254.21.2", "169.254.21.1",
     "169.254.21.0/30"},
    {"azure-gw0", "aws0t2", "ToAzureInstance0.tunnel2", "169.254.22.2", "169.254.22.1",
     "169.254.22.0/30"},
    {"azure-gw1", "aws1t1", "ToAzureInstance1.tunnel1", "169.254.21.6", "169.254.21.5",
     "169.254.21.4/30"},
    {"azure-gw1", "aws1t2", "ToAzureInstance1.tunnel2", "169.254.22.6", "169.254.22.5",
     "169.254.22.4/30"},
};

TEST(Compile, DefaultLabMatchesTheSeedApipaTable) {
  LabPlan plan = compile_text(default_lab_yaml());
  ASSERT_EQ(plan.gateways.size(), 3u);
  EXPECT_TRUE(plan.notes.items().empty()) << plan.notes.format("lab");
  const GatewayPlan& aws = node(plan, "aws-vgw");
  EXPECT_EQ(aws.asn, 64512);
  EXPECT_EQ(aws.tunnels.size(), 4u);
  for (const auto& row : kSeedApipa) {
    SCOPED_TRACE(row.device);
    const GatewayPlan& az = node(plan, row.azure_node);
    EXPECT_EQ(az.asn, 65000);
    const TunnelPlan& at = tunnel(az, row.device);
    const TunnelPlan& wt = tunnel(aws, row.device);
    EXPECT_EQ(wt.name, row.aws_tunnel);
    EXPECT_EQ(at.inside.to_string(), row.inside);
    EXPECT_EQ(at.local_inside.to_string(), row.azure_addr);
    EXPECT_EQ(at.remote_inside.to_string(), row.aws_addr);
    EXPECT_EQ(wt.local_inside.to_string(), row.aws_addr);
    EXPECT_EQ(wt.remote_inside.to_string(), row.azure_addr);
    // Outside addresses and keys agree across the two ends.
    EXPECT_EQ(at.local_outside, wt.remote_outside);
    EXPECT_EQ(at.remote_outside, wt.local_outside);
    EXPECT_TRUE(at.psk.equals(wt.psk));
    EXPECT_EQ(at.start, IkeStart::respond_only);  // ResponderOnly
    EXPECT_EQ(wt.start, IkeStart::both);          // startup_action start
  }
}

TEST(Compile, PublicAddressesComeFromDocumentationRanges) {
  LabPlan plan = compile_text(default_lab_yaml());
  EXPECT_EQ(node(plan, "azure-gw0").public_addresses.at(0).to_string(), "203.0.113.10");
  EXPECT_EQ(node(plan, "azure-gw1").public_addresses.at(0).to_string(), "203.0.113.11");
  const auto& aws = node(plan, "aws-vgw").public_addresses;
  ASSERT_EQ(aws.size(), 4u);
  EXPECT_EQ(aws[0].to_string(), "198.51.100.10");
  EXPECT_EQ(aws[3].to_string(), "198.51.100.13");
}

TEST(Compile, BgpPersonalities) {
  LabPlan plan = compile_text(default_lab_yaml());
  const auto& az = node(plan, "azure-gw0").bgp_neighbors;
  ASSERT_EQ(az.size(), 2u);
  EXPECT_TRUE(az[0].passive);  // Azure never initiates from an APIPA address
  EXPECT_EQ(az[0].hold_time_s, 180);
  EXPECT_EQ(az[0].keepalive_s, 60);
  EXPECT_EQ(az[0].peer_asn, 64512);
  EXPECT_EQ(az[0].max_prefixes, 4000);
  const auto& aws = node(plan, "aws-vgw").bgp_neighbors;
  ASSERT_EQ(aws.size(), 4u);
  EXPECT_FALSE(aws[0].passive);
  EXPECT_EQ(aws[0].hold_time_s, 30);
  EXPECT_EQ(aws[0].max_prefixes, 100);
  EXPECT_EQ(aws[0].max_prefix_action, "cease");
  EXPECT_EQ(node(plan, "aws-vgw").announce.at(0).to_string(), "10.2.0.0/16");
  EXPECT_EQ(node(plan, "azure-gw1").announce.at(0).to_string(), "10.1.0.0/16");
}

TEST(Compile, ApipaQuirkUsesTheFirstAddressAndWarns) {
  // Connection 1 (tunnel 2 to instance 0) selects no custom address: Azure peers from the
  // first APIPA address of instance 0, 169.254.21.2, instead of 169.254.22.2.
  LabPlan plan = compile_text(mutated(
      "custom_bgp_addresses: {enabled: true, primary: 169.254.22.2, secondary: 169.254.21.6}",
      "custom_bgp_addresses: {enabled: false}"));
  const TunnelPlan& t = tunnel(node(plan, "azure-gw0"), "aws0t2");
  EXPECT_EQ(t.local_inside.to_string(), "169.254.21.2");
  EXPECT_EQ(node(plan, "azure-gw0").bgp_neighbors.at(1).local.to_string(), "169.254.21.2");
  ASSERT_EQ(plan.notes.warning_count(), 1u);
  EXPECT_NE(plan.notes.items()[0].message.find("will not come up"), std::string::npos);
}

TEST(Compile, AwsProposalsFollowTunnelOptions) {
  AwsTunnelOptions t;
  t.phase1_encryption = {"AES256-GCM-16"};
  t.phase1_integrity = {"SHA2-256"};
  t.phase1_dh_groups = {14, 19};
  EXPECT_EQ(aws_ike_proposals(t),
            std::vector<std::string>{"aes256gcm16-prfsha256-modp2048-ecp256"});
  t.phase2_encryption = {"AES256", "AES128-GCM-16"};
  t.phase2_integrity = {"SHA1"};
  t.phase2_dh_groups = {5};
  EXPECT_EQ(aws_esp_proposals(t),
            (std::vector<std::string>{"aes256-sha1-modp1536", "aes128gcm16-modp1536"}));
}

TEST(Compile, UnderlayHasOneNamespacePerNode) {
  LabPlan plan = compile_text(default_lab_yaml());
  std::vector<std::string> names;
  for (const auto& n : plan.underlay.nodes) names.push_back(n.netns);
  EXPECT_EQ(names, (std::vector<std::string>{"vpnlab-vnet-vm", "vpnlab-vnet", "vpnlab-internet",
                                             "vpnlab-azure-gw0", "vpnlab-azure-gw1",
                                             "vpnlab-aws-vgw", "vpnlab-vpc-host"}));
  for (const auto& l : plan.underlay.links) {
    EXPECT_LT(l.a.device.size(), 16u);
    EXPECT_LT(l.b.device.size(), 16u);
  }
}

TEST(Compile, LabNamePrefixesNamespaces) {
  LabPlan plan = compile_text(mutated("name: vpnlab", "name: second"));
  for (const auto& n : plan.underlay.nodes) EXPECT_EQ(n.netns.rfind("second-", 0), 0u) << n.netns;
}

}  // namespace
}  // namespace vpnlab::topology

namespace vpnlab::topology {
namespace {

TEST(PlanFile, RoundTripsEveryField) {
  LabPlan plan = compile_text(default_lab_yaml());
  for (const auto& g : plan.gateways) {
    SCOPED_TRACE(g.node);
    std::string text = plan_to_yaml(g);
    auto back = plan_from_yaml(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(plan_to_yaml(*back), text);
    ASSERT_EQ(back->tunnels.size(), g.tunnels.size());
    EXPECT_TRUE(back->tunnels[0].psk.equals(g.tunnels[0].psk));
  }
}

TEST(PlanFile, MissingFieldIsNamed) {
  auto r = plan_from_yaml("lab: x\nnode: y\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'netns'"), std::string::npos) << r.error().message;
}

// lab.emulate_limits (README "The clouds' limits"): the VGW's tunnels carry AWS's per-tunnel
// figures, each Azure instance the SKU's aggregate; a tunnel may opt out; the plan
// file keeps them.
TEST(Compile, EmulatedLimitsFollowTheCloudsFigures) {
  std::string yaml = default_lab_yaml();
  auto at = yaml.find("  time_factor: 1\n");
  ASSERT_NE(at, std::string::npos);
  yaml.insert(at, "  emulate_limits: true\n");
  auto start = yaml.find("          startup_action: start\n");
  ASSERT_NE(start, std::string::npos);
  yaml.insert(start, "          emulate_limits: false\n");  // the first AWS tunnel opts out
  LabPlan plan = compile_text(yaml);
  const auto& vgw = node(plan, "aws-vgw");
  EXPECT_EQ(tunnel(vgw, "aws0t1").limit_gbps, 0);
  EXPECT_DOUBLE_EQ(tunnel(vgw, "aws0t2").limit_gbps, 1.25);
  EXPECT_EQ(tunnel(vgw, "aws0t2").limit_pps, 140000);
  EXPECT_EQ(vgw.aggregate_limit_gbps, 0);
  // VpnGw2 Generation2: 1.25 Gbps, held by each instance.
  EXPECT_DOUBLE_EQ(node(plan, "azure-gw0").aggregate_limit_gbps, 1.25);
  EXPECT_EQ(tunnel(node(plan, "azure-gw0"), "aws0t1").limit_gbps, 0);  // AWS holds its tunnels
  auto back = plan_from_yaml(plan_to_yaml(vgw));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_DOUBLE_EQ(tunnel(*back, "aws0t2").limit_gbps, 1.25);
  EXPECT_EQ(tunnel(*back, "aws0t2").limit_pps, 140000);
  auto az = plan_from_yaml(plan_to_yaml(node(plan, "azure-gw1")));
  ASSERT_TRUE(az);
  EXPECT_DOUBLE_EQ(az->aggregate_limit_gbps, 1.25);
}

// lab.esp_transport (README "Raw ESP on packet sockets"): every vpnlab gateway's plan carries
// it, through the plan file too; the default stays raw_socket.
TEST(Compile, EspTransportReachesEveryGatewayPlan) {
  for (const auto& g : compile_text(default_lab_yaml()).gateways) {
    EXPECT_EQ(g.esp_transport, "raw_socket") << g.node;
  }
  std::string yaml = default_lab_yaml();
  auto at = yaml.find("  time_factor: 1\n");
  ASSERT_NE(at, std::string::npos);
  yaml.insert(at, "  esp_transport: af_packet\n");
  LabPlan plan = compile_text(yaml);
  ASSERT_EQ(plan.gateways.size(), 3u);
  for (const auto& g : plan.gateways) {
    EXPECT_EQ(g.esp_transport, "af_packet") << g.node;
    auto back = plan_from_yaml(plan_to_yaml(g));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->esp_transport, "af_packet");
  }
}

TEST(Compile, NoLimitsUnlessTheLabAsks) {
  LabPlan plan = compile_text(default_lab_yaml());
  for (const auto& g : plan.gateways) {
    EXPECT_EQ(g.aggregate_limit_gbps, 0);
    for (const auto& t : g.tunnels) EXPECT_EQ(t.limit_gbps, 0) << t.device;
  }
}

}  // namespace
}  // namespace vpnlab::topology
