// frr_config / bird_config on the reference lab's compiled plans: each cloud rule appears as
// the daemon's own statement (the interop test loads the same texts into real daemons).
#include <gtest/gtest.h>

#include "node_plans.hpp"
#include "topology/nodes/bgp_node.hpp"
#include "topology/nodes/bird.hpp"
#include "topology/nodes/frr.hpp"

namespace vpnlab::topology::nodes {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(FrrConfig, AzureInstanceZeroIsPassiveEcmpFilteredAndLimited) {
  const GatewayPlan plan = reference_plan("azure-gw0");
  const std::string c = frr_config(plan, {"/run/vpnlab/vpnlab", "azure-gw0"});
  for (const char* line :
       {"router bgp 65000\n", " bgp router-id 203.0.113.10\n", " no bgp ebgp-requires-policy\n",
        " no bgp network import-check\n",
        // Both of instance 0's tunnels, APIPA addresses from the seed's table.
        " neighbor 169.254.21.1 remote-as 64512\n",
        " neighbor 169.254.21.1 update-source 169.254.21.2\n",
        " neighbor 169.254.22.1 update-source 169.254.22.2\n",
        " neighbor 169.254.21.1 passive\n",        // [Z-AWS-OLD]
        " neighbor 169.254.21.1 timers 60 180\n",  // [Z-TIMER]
        "  network 10.1.0.0/16\n", "  maximum-paths 2\n",
        "  neighbor 169.254.21.1 maximum-prefix 3999 restart 1\n",  // [Z-FAQ-BGP]
        "ip prefix-list vpnlab-import seq 10 deny 10.1.0.0/16\n",
        "ip prefix-list vpnlab-export seq 5 deny 0.0.0.0/0\n",
        "  neighbor 169.254.22.1 prefix-list vpnlab-import in\n",
        "  neighbor 169.254.22.1 prefix-list vpnlab-export out\n"}) {
    EXPECT_TRUE(has(c, line)) << "missing: " << line << "\n" << c;
  }
  EXPECT_FALSE(has(c, "169.254.21.5")) << "instance 1's tunnel leaked into instance 0";
  EXPECT_FALSE(has(c, "/run/vpnlab")) << "the export must not name lab paths";
}

TEST(FrrConfig, AwsVgwConnectsWithOnePathAndTheHundredPrefixLimit) {
  const GatewayPlan plan = reference_plan("aws-vgw");
  const std::string c = frr_config(plan, {"/tmp", "aws-vgw"});
  EXPECT_TRUE(has(c, "router bgp 64512\n"));
  for (const char* peer : {"169.254.21.2", "169.254.22.2", "169.254.21.6", "169.254.22.6"}) {
    const std::string nb = std::string(" neighbor ") + peer;
    EXPECT_TRUE(has(c, nb + " remote-as 65000\n")) << peer;
    EXPECT_TRUE(has(c, nb + " timers 10 30\n")) << peer;                       // [X-XML, X-IOS]
    EXPECT_TRUE(has(c, " " + nb + " maximum-prefix 99 restart 1\n")) << peer;  // [A-QUOTA]
    EXPECT_FALSE(has(c, nb + " passive")) << peer;
  }
  EXPECT_TRUE(has(c, "  maximum-paths 1\n"));  // no ECMP on a VGW [A-ROUTE]
  EXPECT_TRUE(has(c, "  network 10.2.0.0/16\n"));
  EXPECT_FALSE(has(c, " deny ")) << "AWS filters neither the default route nor VNet prefixes";
  EXPECT_TRUE(has(c, "! note: AWS signals its preferred egress tunnel with a lower MED"));
}

TEST(BirdConfig, AwsVgwStaticAnnounceKernelExportAndReceiveLimit) {
  const GatewayPlan plan = reference_plan("aws-vgw");
  const std::string c = bird_config(plan, {"/run/vpnlab/vpnlab", "aws-vgw"});
  for (const char* line :
       {"log \"/run/vpnlab/vpnlab/aws-vgw.bird.log\" all;\n", "router id 198.51.100.10;\n",
        "protocol bgp bgp_aws0t1 {\n", "  local 169.254.21.1 as 64512;\n",
        "  neighbor 169.254.21.2 as 65000;\n", "  interface \"aws0t1\";\n",
        "protocol bgp bgp_aws1t2 {\n", "  local 169.254.22.5 as 64512;\n", "  hold time 30;\n",
        "  keepalive time 10;\n",
        "    receive limit 100 action restart;\n",  // [A-QUOTA, X-AVX]
        "  route 10.2.0.0/16 blackhole;\n", "    export where source = RTS_BGP;\n",
        "  if proto = \"vpnlab_announce\" || source = RTS_BGP then accept;\n"}) {
    EXPECT_TRUE(has(c, line)) << "missing: " << line << "\n" << c;
  }
  EXPECT_FALSE(has(c, "passive on"));
  EXPECT_FALSE(has(c, "merge paths")) << "no ECMP on a VGW [A-ROUTE]";
  EXPECT_FALSE(has(c, "then reject;\n  accept;")) << "AWS rejects no VNet-equal prefixes";
}

TEST(BirdConfig, AzureInstanceZeroPassiveMergedPathsAndFilters) {
  const GatewayPlan plan = reference_plan("azure-gw0");
  const std::string c = bird_config(plan, {"/tmp", "azure-gw0"});
  for (const char* line :
       {"  passive on;\n", "  hold time 180;\n", "  keepalive time 60;\n",
        "  merge paths on limit 2;\n", "  if net = 10.1.0.0/16 then reject;\n",
        "  if net = 0.0.0.0/0 then reject;\n", "    receive limit 4000 action restart;\n",
        "  local 169.254.22.2 as 65000;\n"}) {
    EXPECT_TRUE(has(c, line)) << "missing: " << line << "\n" << c;
  }
}

TEST(DaemonTimers, TimeFactorKeepsTimersValid) {
  GatewayPlan plan = reference_plan("aws-vgw");
  plan.time_factor = 0.01;  // 30 s hold -> 0.3 s: raised to RFC 4271's 3 s minimum
  DaemonTimers t = daemon_timers(plan, plan.bgp_neighbors.front());
  EXPECT_EQ(t.hold_s, 3);
  EXPECT_EQ(t.keepalive_s, 1);
  EXPECT_EQ(t.connect_retry_s, 1);
  plan.time_factor = 0.1;
  GatewayPlan az = reference_plan("azure-gw0");
  az.time_factor = 0.1;
  t = daemon_timers(az, az.bgp_neighbors.front());
  EXPECT_EQ(t.hold_s, 18);
  EXPECT_EQ(t.keepalive_s, 6);
  EXPECT_TRUE(has(frr_config(plan, {"/tmp", "aws-vgw"}), " timers 1 3\n"));
  EXPECT_TRUE(has(frr_config(plan, {"/tmp", "aws-vgw"}), "FRR restarts a session closed by"));
  EXPECT_TRUE(has(bird_config(az, {"/tmp", "azure-gw0"}), "  error wait time 1, 6;\n"));
}

TEST(BirdConfig, ProtocolNamesAreUniqueSymbols) {
  GatewayPlan plan = reference_plan("aws-vgw");
  plan.bgp_neighbors[1].device = plan.bgp_neighbors[0].device;
  plan.bgp_neighbors[2].device = "";
  EXPECT_EQ(bird_protocol_name(plan, 0), "bgp_aws0t1");
  EXPECT_EQ(bird_protocol_name(plan, 1), "bgp_aws0t1_1");
  EXPECT_EQ(bird_protocol_name(plan, 2), "bgp_169_254_21_6");
}

}  // namespace
}  // namespace vpnlab::topology::nodes
