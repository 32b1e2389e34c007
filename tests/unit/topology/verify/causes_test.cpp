// verify's pure parts: the likely causes derived from status documents and the lab file, and
// the console checks over a merged console view (topology/verify/).
#include <gtest/gtest.h>

#include "../lab_test_util.hpp"
#include "topology/plan.hpp"
#include "topology/verify/causes.hpp"
#include "topology/verify/console_checks.hpp"
#include "topology/verify/route_checks.hpp"

namespace vpnlab::topology::verify {
namespace {

using nlohmann::json;

Lab lab_from(const std::string& yaml) {
  auto loaded = load_lab_text(yaml, "lab.yaml");
  EXPECT_TRUE(loaded.lab.has_value());
  return *loaded.lab;
}

json tunnel(const std::string& status, const std::string& error, const std::string& local,
            const std::string& remote, const std::string& connection = "AWSTunnel1ToInstance0") {
  return {{"device", "aws0t1"},
          {"status", status},
          {"last_error", error},
          {"inside_local", local},
          {"inside_remote", remote},
          {"azure_connection", connection},
          {"name", "ToAzureInstance0.tunnel1"}};
}

bool any_has(const std::vector<std::string>& causes, const std::string& part) {
  for (const auto& c : causes) {
    if (c.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string all(const std::vector<std::string>& causes) {
  std::string out;
  for (const auto& c : causes) out += c + "\n";
  return out;
}

TEST(VerifyCauses, PskMismatchNamesBothFields) {
  Lab lab = lab_from(mutated("shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9",
                             "shared_key: vpnlab.Tunnel1.Instance0_WRONG"));
  json aws = tunnel("DOWN", "authentication failed (AUTHENTICATION_FAILED): check the PSK",
                    "169.254.21.1", "169.254.21.2");
  json az = tunnel("DOWN", "", "169.254.21.2", "169.254.21.1");
  TunnelEnds e{"ToAzureInstance0.tunnel1", "azure-gw0", "aws-vgw", &az, &aws};
  auto causes = tunnel_causes(lab, e);
  EXPECT_TRUE(any_has(causes, "PSK mismatch")) << all(causes);
  EXPECT_TRUE(any_has(causes,
                      "azure.connections[0].shared_key differs from "
                      "aws.vpn_connections[0].tunnels[0].pre_shared_key"))
      << all(causes);
  for (const auto& c : causes) EXPECT_EQ(c.find("WRONG"), std::string::npos) << "PSK leaked";
}

TEST(VerifyCauses, DeadPeerWithClearAndResponderOnlyIsTheRecoveryDeadlock) {
  Lab lab = lab_from(default_lab_yaml());  // DPD action clear (AWS default), ResponderOnly
  json aws =
      tunnel("DOWN", "peer not responding (dead peer detection)", "169.254.21.1", "169.254.21.2");
  json az = tunnel("DOWN", "", "169.254.21.2", "169.254.21.1");
  TunnelEnds e{"ToAzureInstance0.tunnel1", "azure-gw0", "aws-vgw", &az, &aws};
  auto causes = tunnel_causes(lab, e);
  EXPECT_TRUE(any_has(causes, "will not come back")) << all(causes);
  EXPECT_TRUE(any_has(causes, "dpd_timeout_action: restart")) << all(causes);
}

TEST(VerifyCauses, DrillAndMissingGatewayAreNamed) {
  Lab lab = lab_from(default_lab_yaml());
  json aws =
      tunnel("DOWN", "taken down by a drill (vpnlab tunnel down)", "169.254.21.1", "169.254.21.2");
  TunnelEnds e{"ToAzureInstance0.tunnel1", "azure-gw0", "aws-vgw", nullptr, &aws};
  auto causes = tunnel_causes(lab, e);
  EXPECT_TRUE(any_has(causes, "azure-gw0 does not answer")) << all(causes);
  EXPECT_TRUE(any_has(causes, "vpnlab tunnel up ToAzureInstance0.tunnel1")) << all(causes);
}

TEST(VerifyCauses, PrefixLimitAndApipaMismatchFromBgpEvidence) {
  Lab lab = lab_from(default_lab_yaml());
  json aws = tunnel("UP", "", "169.254.21.1", "169.254.21.2");
  json az = tunnel("UP", "", "169.254.21.2", "169.254.21.1");
  TunnelEnds e{"ToAzureInstance0.tunnel1", "azure-gw0", "aws-vgw", &az, &aws};
  json peer = {{"neighbor", "169.254.21.1"},
               {"state", "Idle"},
               {"routesReceived", 0},
               {"lastError", "Cease/Maximum Number of Prefixes Reached: more than 100 prefixes"}};
  auto causes = bgp_causes(lab, e, &peer);
  EXPECT_TRUE(any_has(causes, "over the prefix limit")) << all(causes);
  EXPECT_FALSE(any_has(causes, "APIPA mismatch")) << all(causes);

  json az_quirk = tunnel("UP", "", "169.254.21.2", "169.254.22.1");
  json aws2 = tunnel("UP", "", "169.254.22.1", "169.254.22.2");
  TunnelEnds quirk{"ToAzureInstance0.tunnel2", "azure-gw0", "aws-vgw", &az_quirk, &aws2};
  json idle = {{"neighbor", "169.254.22.1"}, {"state", "Connecting"}, {"lastError", nullptr}};
  causes = bgp_causes(lab, quirk, &idle);
  EXPECT_TRUE(any_has(causes, "APIPA mismatch: Azure speaks BGP from 169.254.21.2")) << all(causes);
}

TEST(VerifyCauses, RoutePropagationOff) {
  Lab lab = lab_from(mutated("route_propagation: true", "route_propagation: false"));
  auto causes = vpc_route_causes(lab, true);
  EXPECT_TRUE(any_has(causes, "route propagation off")) << all(causes);
  EXPECT_TRUE(any_has(vpc_route_causes(lab_from(default_lab_yaml()), false),
                      "supervisor (route propagation) is not running"));
}

TEST(VerifyConsoleChecks, FailedConnectionCarriesItsTunnelsCause) {
  Lab lab = lab_from(default_lab_yaml());
  LabPlan plan = compile(lab);
  json aws =
      tunnel("DOWN", "taken down by a drill (vpnlab tunnel down)", "169.254.21.1", "169.254.21.2");
  json az =
      tunnel("DOWN", "taken down by a drill (vpnlab tunnel down)", "169.254.21.2", "169.254.21.1");
  json gateways = {{"aws-vgw", {{"tunnels", {aws}}}}, {"azure-gw0", {{"tunnels", {az}}}}};
  json consoles = {{"azure",
                    {{"connections",
                      {{{"name", "AWSTunnel1ToInstance0"}, {"connectionStatus", "NotConnected"}},
                       {{"name", "AWSTunnel2ToInstance0"}, {"connectionStatus", "Connected"}}}}}},
                   {"aws", {{"VpnConnections", json::array()}}}};
  Report r;
  console_checks(lab, plan, consoles, gateways, r);
  ASSERT_GE(r.checks.size(), 2u);
  EXPECT_FALSE(r.checks[0].pass);
  EXPECT_TRUE(any_has(r.checks[0].causes, "taken down by a drill")) << all(r.checks[0].causes);
  EXPECT_TRUE(r.checks[1].pass);
  // No gateway reports BGP peers here: every peer check fails, naming the tunnel or gateway.
  EXPECT_FALSE(r.ok());
  auto text = format_checklist(r);
  EXPECT_NE(text.find("FAIL  connection AWSTunnel1ToInstance0 Connected"), std::string::npos)
      << text;
  EXPECT_NE(text.find("cause: taken down by a drill"), std::string::npos) << text;
  EXPECT_EQ(to_json(r)["checks"][0]["result"], "FAIL");
}

TEST(VerifyRoutes, ImpliedVpcRoutesIgnoreRoutePropagation) {
  Lab lab = lab_from(mutated("route_propagation: true", "route_propagation: false"));
  LabPlan plan = compile(lab);
  json gateways = {
      {"aws-vgw",
       {{"bgp", {{"locRib", {{{"network", "10.1.0.0/16"}, {"sourcePeer", "169.254.21.2"}}}}}}}}};
  auto want = implied_routes(plan, gateways, plan.underlay.lab + "-vpc-host");
  ASSERT_EQ(want.size(), 1u);
  EXPECT_EQ(want[0].prefix.to_string(), "10.1.0.0/16");
  Report r;
  route_checks(lab, plan, gateways,
               RouteTables{std::vector<FabricRoute>{}, std::vector<FabricRoute>{}, ""}, true, r);
  bool found = false;
  for (const auto& c : r.checks) {
    if (c.name.find("VPC route table") == std::string::npos) continue;
    found = true;
    EXPECT_FALSE(c.pass);
    EXPECT_TRUE(any_has(c.causes, "route propagation off")) << all(c.causes);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace vpnlab::topology::verify
