// The BGP half of gateway nodes run by real software: FRR (zebra + bgpd) with azure-gw0's
// plan and BIRD with the AWS VGW's plan of the reference lab, started by start_frr /
// start_bird in two namespaces joined by the two tunnels' devices as veths (no IPsec).
//
//   ns vpnlab-t-PID-az (azure-gw0: FRR, AS 65000)        ns vpnlab-t-PID-aws (aws-vgw: BIRD, AS
//   64512) lo 10.1.0.1/32 (in the VNet 10.1.0.0/16)             lo 10.2.0.1/32 (in the
//   VPC 10.2.0.0/16) aws0t1 169.254.21.2/30 ────────── veth ────────────── aws0t1 169.254.21.1/30
//   aws0t2 169.254.22.2/30 ────────── veth ────────────── aws0t2 169.254.22.1/30
//
// Time factor 0.1 (hold 3 s on the AWS side). The AWS plan keeps its two neighbours on these
// tunnels and also announces 0.0.0.0/0, so the Azure node's "never announce the default
// route" filter is visible. Set VPNLAB_NODES_CAPTURE=<dir> to keep the daemons' raw outputs
// (that is how tests/unit/topology/data/nodes/ was captured).
#include <gtest/gtest.h>

#include <filesystem>

#include "interop_env.hpp"
#include "topology/lab_loader.hpp"
#include "topology/nodes/bird.hpp"
#include "topology/nodes/frr.hpp"
#include "topology/nodes/node_process.hpp"

namespace vpnlab::topology::nodes {
namespace {
using namespace vpnlab::bgp::test;
using nlohmann::json;

GatewayPlan reference_plan(const std::string& node) {
  auto loaded = load_lab_text(default_lab_yaml(), "lab.yaml");
  EXPECT_TRUE(loaded.lab.has_value());
  for (auto& g : compile(*loaded.lab).gateways) {
    if (g.node == node) return g;
  }
  ADD_FAILURE() << "no node " << node;
  return {};
}

bool have_daemons() {
  return ::access(kBgpd, X_OK) == 0 && ::access(kZebra, X_OK) == 0 && ::access(kBird, X_OK) == 0;
}

const json* peer(const json& status, const std::string& address) {
  if (!status.contains("peers")) return nullptr;
  for (const auto& p : status.at("peers")) {
    if (p.value("neighbor", "") == address) return &p;
  }
  return nullptr;
}

bool has_route(const json& routes, const std::string& network) {
  for (const auto& r : routes) {
    if (r.value("network", "") == network) return true;
  }
  return false;
}

struct BgpNodes : ::testing::Test {
  std::string prefix = "vpnlab-t-" + std::to_string(::getpid());
  std::string dir;
  std::unique_ptr<Env> env;
  GatewayPlan az, aws;
  NodePaths az_paths, aws_paths;

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for namespaces";
    if (!have_daemons()) GTEST_SKIP() << "FRR (zebra, bgpd) or BIRD not installed";
    char tmpl[] = "/tmp/vpnlab-nodes-XXXXXX";
    dir = ::mkdtemp(tmpl);
    env = std::make_unique<Env>(prefix);
    az = reference_plan("azure-gw0");
    aws = reference_plan("aws-vgw");
    az.netns = env->ns("az");
    aws.netns = env->ns("aws");
    az.time_factor = aws.time_factor = 0.1;
    std::erase_if(aws.bgp_neighbors, [](const BgpNeighborPlan& n) {
      return n.device != "aws0t1" && n.device != "aws0t2";
    });
    aws.announce.push_back(*Ipv4Prefix::parse("0.0.0.0/0"));
    ASSERT_EQ(az.bgp_neighbors.size(), 2u);
    ASSERT_EQ(aws.bgp_neighbors.size(), 2u);
    for (const char* dev : {"aws0t1", "aws0t2"}) {
      ASSERT_EQ(sh(std::string("ip link add tmp-") + dev + " netns " + az.netns +
                   " type veth peer name " + dev + " netns " + aws.netns),
                0);
      ASSERT_EQ(sh("ip -n " + az.netns + " link set tmp-" + dev + " name " + dev), 0);
    }
    for (const auto* g : {&az, &aws}) {
      for (const auto& n : g->bgp_neighbors)
        ASSERT_EQ(
            sh("ip -n " + g->netns + " addr add " + n.local.to_string() + "/30 dev " + n.device),
            0);
      for (const auto& n : g->bgp_neighbors)
        ASSERT_EQ(sh("ip -n " + g->netns + " link set " + n.device + " up"), 0);
      ASSERT_EQ(sh("ip -n " + g->netns + " link set lo up"), 0);
    }
    ASSERT_EQ(sh("ip -n " + az.netns + " addr add 10.1.0.1/32 dev lo"), 0);
    ASSERT_EQ(sh("ip -n " + aws.netns + " addr add 10.2.0.1/32 dev lo"), 0);
    az_paths = {dir, "azure-gw0"};
    aws_paths = {dir, "aws-vgw"};
  }

  void TearDown() override {
    if (dir.empty()) return;
    if (HasFailure()) {
      for (const char* f : {"azure-gw0.bgpd.log", "azure-gw0.zebra.log", "aws-vgw.bird.log"})
        std::printf("---- %s\n%s\n", f, read_file(dir + "/" + f).c_str());
    }
    stop_frr(az_paths);
    stop_bird(aws_paths);
    env.reset();
    sh("rm -rf " + dir);
  }

  std::string kernel_route(const std::string& ns, const std::string& net) {
    return capture("ip -n " + ns + " route show " + net);
  }
  std::string vtysh(const std::string& args) {
    return capture("vtysh --vty_socket " + dir + "/azure-gw0.frr.vty -d bgpd " + args + " 2>&1");
  }
  void keep(const std::string& name, const std::string& command) {
    const char* to = std::getenv("VPNLAB_NODES_CAPTURE");
    if (!to) return;
    std::ofstream(std::string(to) + "/" + name) << capture(command);
  }
  void capture_outputs(const std::string& tag) {
    std::string v = "vtysh --vty_socket " + dir + "/azure-gw0.frr.vty -d bgpd -c ";
    std::string b = "birdc -s " + dir + "/aws-vgw.bird.ctl ";
    keep("frr_neighbors_" + tag + ".json", v + "'show bgp neighbors json'");
    keep("frr_routes_" + tag + ".json", v + "'show bgp ipv4 unicast json'");
    keep("frr_advertised_" + tag + ".json",
         v + "'show bgp ipv4 unicast neighbors 169.254.21.1 advertised-routes json'");
    keep("bird_protocols_" + tag + ".txt", b + "'show protocols all'");
    keep("bird_routes_" + tag + ".txt", b + "'show route all'");
    keep("bird_export_" + tag + ".txt", b + "'show route export bgp_aws0t1 all'");
  }
  // Adds (or with "no " removes) networks 10.200.<from..to-1>.0/24 on the FRR node.
  void frr_networks(const std::string& no, int from, int to) {
    std::string cmds = "-c 'conf t' -c 'router bgp 65000' -c 'address-family ipv4 unicast'";
    for (int i = from; i < to; ++i)
      cmds += " -c '" + no + "network 10.200." + std::to_string(i) + ".0/24'";
    vtysh(cmds);
  }
};

TEST_F(BgpNodes, ConfigsLoadInRealDaemons) {
  ASSERT_TRUE(write_text(dir + "/azure-gw0.frr.conf", frr_config(az, az_paths)));
  ASSERT_TRUE(write_text(dir + "/aws-vgw.frr.conf", frr_config(aws, aws_paths)));
  ASSERT_TRUE(write_text(dir + "/aws-vgw.bird.conf", bird_config(aws, aws_paths)));
  ASSERT_TRUE(write_text(dir + "/azure-gw0.bird.conf", bird_config(az, az_paths)));
  for (const char* node : {"azure-gw0", "aws-vgw"}) {
    std::string frr = dir + "/" + node + ".frr.conf";
    // bgpd --dryrun exits 0 even on unknown commands: its complaints are the verdict.
    std::string out = capture(std::string(kBgpd) + " -S --dryrun -f " + frr + " 2>&1");
    EXPECT_EQ(out.find("[EC "), std::string::npos) << out;
    EXPECT_EQ(sh("vtysh -C -f " + frr), 0);
    EXPECT_EQ(sh(std::string(kBird) + " -p -c " + dir + "/" + node + ".bird.conf"), 0);
  }
}

TEST_F(BgpNodes, EstablishedRoutesStatusMaxPrefixAndStop) {
  auto frr_pid = start_frr(az, az_paths);
  ASSERT_TRUE(frr_pid) << frr_pid.error().message;
  auto bird_pid = start_bird(aws, aws_paths);
  ASSERT_TRUE(bird_pid) << bird_pid.error().message;
  const pid_t zebra_pid = std::atoi(read_file(dir + "/azure-gw0.zebra.pid").c_str());
  ASSERT_GT(zebra_pid, 0);

  // 1. Both sessions up on both nodes (BIRD connects: the Azure side is passive).
  json fs, bs;
  ASSERT_TRUE(eventually([&] {
    fs = frr_bgp_status(az, az_paths);
    bs = bird_bgp_status(aws, aws_paths);
    for (auto [s, a] : {std::pair{&fs, "169.254.21.1"},
                        {&fs, "169.254.22.1"},
                        {&bs, "169.254.21.2"},
                        {&bs, "169.254.22.2"}}) {
      const json* p = peer(*s, a);
      if (!p || (*p)["state"] != "Connected" || (*p)["routesReceived"] == 0) return false;
    }
    return true;
  })) << fs.dump(1)
      << "\n"
      << bs.dump(1);
  // Read again: FRR was read before BIRD in the last round, maybe before it sent its UPDATE.
  fs = frr_bgp_status(az, az_paths);
  bs = bird_bgp_status(aws, aws_paths);
  capture_outputs("established");
  // `vpnlab up` again: the running daemons stay.
  EXPECT_EQ(start_frr(az, az_paths).value_or(0), *frr_pid);
  EXPECT_EQ(start_bird(aws, aws_paths).value_or(0), *bird_pid);

  // 2. Routes both ways in each node's kernel: ECMP over both tunnels on Azure [Z-AA], one
  //    path on the VGW [A-ROUTE]; and real packets VNet -> VPC and back.
  ASSERT_TRUE(eventually([&] {
    return kernel_route(az.netns, "10.2.0.0/16").find("nexthop via") != std::string::npos &&
           !kernel_route(aws.netns, "10.1.0.0/16").empty();
  })) << kernel_route(az.netns, "10.2.0.0/16")
      << kernel_route(aws.netns, "10.1.0.0/16");
  std::string az_route = kernel_route(az.netns, "10.2.0.0/16");
  EXPECT_NE(az_route.find("via 169.254.21.1 dev aws0t1"), std::string::npos) << az_route;
  EXPECT_NE(az_route.find("via 169.254.22.1 dev aws0t2"), std::string::npos) << az_route;
  EXPECT_EQ(kernel_route(aws.netns, "10.1.0.0/16").find("nexthop"), std::string::npos);
  EXPECT_NE(kernel_route(aws.netns, "10.1.0.0/16").find("proto bird"), std::string::npos);
  EXPECT_EQ(sh("ip netns exec " + az.netns + " ping -c 1 -W 2 -I 10.1.0.1 10.2.0.1 >/dev/null"), 0);

  // 3. Status JSON mapped from the daemons' own output.
  const json& f1 = *peer(fs, "169.254.21.1");
  EXPECT_EQ(f1["asn"], 64512);
  EXPECT_EQ(f1["localAddress"], "169.254.21.2");
  EXPECT_EQ(f1["bgpState"], "Established");
  EXPECT_EQ(f1["holdTime"], 3);        // min(Azure 18, AWS 3) after scaling by 0.1
  EXPECT_EQ(f1["routesReceived"], 2);  // the VPC CIDR and 0.0.0.0/0 (Azure accepts it)
  EXPECT_EQ(f1["awsStatusMessage"], "2 BGP ROUTES");
  EXPECT_GT(f1["messagesReceived"].get<int>(), 0);
  EXPECT_TRUE(has_route(f1["learnedRoutes"], "10.2.0.0/16"));
  EXPECT_TRUE(has_route(f1["advertisedRoutes"], "10.1.0.0/16"));
  EXPECT_FALSE(has_route(f1["advertisedRoutes"], "0.0.0.0/0")) << f1.dump(1);  // [Z-FAQ-BGP]
  EXPECT_TRUE(has_route(fs["locRib"], "10.2.0.0/16"));
  for (const auto& r : fs["locRib"]) {
    if (r["network"] == "10.1.0.0/16") EXPECT_EQ(r["sourcePeer"], "local");
    if (r["network"] == "10.2.0.0/16") EXPECT_EQ(r["asPath"], "64512");
  }
  const json& b1 = *peer(bs, "169.254.21.2");
  EXPECT_EQ(b1["asn"], 65000);
  EXPECT_EQ(b1["localAddress"], "169.254.21.1");
  EXPECT_EQ(b1["holdTime"], 3);
  EXPECT_EQ(b1["routesReceived"], 1);
  EXPECT_FALSE(b1.contains("messagesSent"));  // BIRD does not count them: left out
  EXPECT_TRUE(has_route(b1["learnedRoutes"], "10.1.0.0/16"));
  EXPECT_TRUE(has_route(b1["advertisedRoutes"], "10.2.0.0/16"));
  bool from_peer = false;
  for (const auto& r : bs["locRib"]) {
    if (r["network"] == "10.1.0.0/16")
      from_peer = r["sourcePeer"] == "169.254.21.2" || r["sourcePeer"] == "169.254.22.2";
  }
  EXPECT_TRUE(from_peer) << bs["locRib"].dump(1);

  // 4. AWS's limit [A-QUOTA]: 100 prefixes from the customer gateway are fine, 101 -> Cease/1
  //    [X-AVX].
  frr_networks("", 0, 99);
  ASSERT_TRUE(eventually([&] {
    const json* b = peer(bs = bird_bgp_status(aws, aws_paths), "169.254.21.2");
    return b && (*b)["state"] == "Connected" && (*b)["routesReceived"] == 100;
  })) << bs.dump(1);
  EXPECT_TRUE(peer(bs, "169.254.21.2")->at("lastError").is_null());
  frr_networks("", 99, 100);
  ASSERT_TRUE(eventually([&] {
    fs = frr_bgp_status(az, az_paths);
    bs = bird_bgp_status(aws, aws_paths);
    const json* f = peer(fs, "169.254.21.1");
    const json* b = peer(bs, "169.254.21.2");
    return f && b && f->value("lastError", json()).is_string() &&
           b->value("lastError", json()).is_string();
  })) << fs.dump(1)
      << "\n"
      << bs.dump(1);
  capture_outputs("limit");
  EXPECT_NE(peer(fs, "169.254.21.1")
                ->at("lastError")
                .get<std::string>()
                .find("Maximum Number of Prefixes Reached"),
            std::string::npos);
  EXPECT_NE(peer(bs, "169.254.21.2")->at("lastError").get<std::string>().find("limit"),
            std::string::npos);
  // Within the limit again, the sessions come back (BIRD restarts after its error wait).
  frr_networks("no ", 0, 100);
  ASSERT_TRUE(eventually(
      [&] {
        bs = bird_bgp_status(aws, aws_paths);
        const json* b = peer(bs, "169.254.21.2");
        return b && (*b)["state"] == "Connected";
      },
      std::chrono::seconds(30)))
      << bs.dump(1);

  // 5. A changed plan reaches a running BIRD by `birdc configure`: same process, the
  //    default route withdrawn from the FRR node.
  aws.announce.pop_back();  // 0.0.0.0/0
  EXPECT_EQ(start_bird(aws, aws_paths).value_or(0), *bird_pid);
  EXPECT_TRUE(eventually(
      [&] {
        const json* f = peer(fs = frr_bgp_status(az, az_paths), "169.254.21.1");
        return f && (*f)["state"] == "Connected" &&
               !has_route((*f)["learnedRoutes"], "0.0.0.0/0") &&
               has_route((*f)["learnedRoutes"], "10.2.0.0/16");
      },
      std::chrono::seconds(30)))
      << fs.dump(1);
  EXPECT_EQ(kernel_route(az.netns, "0.0.0.0/0"), "");

  // 6. Stop by PID: no process left, kernel routes withdrawn by the daemons themselves.
  stop_frr(az_paths);
  stop_bird(aws_paths);
  for (pid_t pid : {static_cast<pid_t>(*frr_pid), zebra_pid, static_cast<pid_t>(*bird_pid)})
    EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid))) << pid;
  EXPECT_EQ(kernel_route(az.netns, "10.2.0.0/16"), "");
  EXPECT_EQ(kernel_route(aws.netns, "10.1.0.0/16"), "");
  EXPECT_TRUE(frr_bgp_status(az, az_paths).contains("error"));
  EXPECT_TRUE(bird_bgp_status(aws, aws_paths).contains("error"));
}

}  // namespace
}  // namespace vpnlab::topology::nodes

namespace vpnlab::topology::nodes {
namespace {

// The Azure side's limit (4000 in the plan [Z-FAQ-BGP]) lowered to 2: the BIRD node's three
// prefixes (VPC CIDR, 0.0.0.0/0, 10.3.0.0/16) exceed it, FRR drops the session with Cease/1.
TEST_F(BgpNodes, FrrEnforcesTheAzureLimit) {
  for (auto& n : az.bgp_neighbors) n.max_prefixes = 2;
  aws.announce.push_back(*Ipv4Prefix::parse("10.3.0.0/16"));
  ASSERT_TRUE(start_frr(az, az_paths));
  ASSERT_TRUE(start_bird(aws, aws_paths));
  json fs, bs;
  ASSERT_TRUE(eventually([&] {
    fs = frr_bgp_status(az, az_paths);
    bs = bird_bgp_status(aws, aws_paths);
    const json* f = peer(fs, "169.254.21.1");
    const json* b = peer(bs, "169.254.21.2");
    return f && b && f->value("lastError", json()).is_string() &&
           b->value("lastError", json()).is_string();
  })) << fs.dump(1)
      << "\n"
      << bs.dump(1);
  EXPECT_EQ(peer(fs, "169.254.21.1")->at("lastError"),
            "BGP Notification send: Cease/Maximum Number of Prefixes Reached");
  EXPECT_EQ(peer(bs, "169.254.21.2")->at("lastError"),
            "Received: Maximum number of prefixes reached");
  EXPECT_NE(peer(bs, "169.254.21.2")->at("state"), "Connected");
  EXPECT_EQ(kernel_route(az.netns, "10.2.0.0/16"), "");
}

// Exactly at the limit (two prefixes, limit 2) the session stays up: only more than the
// limit closes it, as in the clouds.
TEST_F(BgpNodes, FrrKeepsASessionAtTheLimit) {
  for (auto& n : az.bgp_neighbors) n.max_prefixes = 2;
  ASSERT_TRUE(start_frr(az, az_paths));
  ASSERT_TRUE(start_bird(aws, aws_paths));
  json fs;
  ASSERT_TRUE(eventually([&] {
    const json* f = peer(fs = frr_bgp_status(az, az_paths), "169.254.21.1");
    return f && (*f)["state"] == "Connected" && (*f)["routesReceived"] == 2;
  })) << fs.dump(1);
  // Both prefixes accepted: FRR checked its limit as it took them, and the session is up.
  EXPECT_TRUE(peer(fs, "169.254.21.1")->at("lastError").is_null()) << fs.dump(1);
}

}  // namespace
}  // namespace vpnlab::topology::nodes
