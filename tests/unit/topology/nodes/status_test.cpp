// frr_status_from / bird_status_from on outputs captured from real daemons
// (tests/unit/topology/data/nodes/README.md says how): the gateway "bgp" JSON that
// `vpnlab status` and the fabric read.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "node_plans.hpp"
#include "topology/nodes/bird.hpp"
#include "topology/nodes/frr.hpp"

namespace vpnlab::topology::nodes {
namespace {

using nlohmann::json;

std::string data(const std::string& name) {
  std::ifstream in(std::string(NODES_DATA_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const json& peer(const json& status, const std::string& address) {
  for (const auto& p : status.at("peers")) {
    if (p.at("neighbor") == address) return p;
  }
  ADD_FAILURE() << "no peer " << address << " in " << status.dump(1);
  static const json none = json::object();
  return none;
}

std::vector<std::string> networks(const json& routes) {
  std::vector<std::string> out;
  for (const auto& r : routes) out.push_back(r.at("network"));
  return out;
}

GatewayPlan aws_test_plan() {
  GatewayPlan plan = reference_plan("aws-vgw");
  std::erase_if(plan.bgp_neighbors, [](const BgpNeighborPlan& n) {
    return n.device != "aws0t1" && n.device != "aws0t2";
  });
  return plan;
}

FrrShow frr_show(const std::string& tag) {
  return {data("frr_neighbors_" + tag + ".json"),
          data("frr_routes_" + tag + ".json"),
          {{"169.254.21.1", data("frr_advertised_" + tag + ".json")}}};
}

TEST(FrrStatus, EstablishedPeersRoutesAndEcmpLocRib) {
  json s = frr_status_from(frr_show("established"), reference_plan("azure-gw0"));
  EXPECT_EQ(s["implementation"], "frr");
  EXPECT_EQ(s["asn"], 65000);
  EXPECT_EQ(s["routerId"], "203.0.113.10");
  const json& p = peer(s, "169.254.21.1");
  EXPECT_EQ(p["asn"], 64512);
  EXPECT_EQ(p["localAddress"], "169.254.21.2");
  EXPECT_EQ(p["state"], "Connected");
  EXPECT_EQ(p["bgpState"], "Established");
  EXPECT_EQ(p["connectedSeconds"], 2);  // bgpTimerUpMsec 2000
  EXPECT_EQ(p["connectedDuration"], "0.00:00:02");
  EXPECT_EQ(p["routesReceived"], 2);
  EXPECT_EQ(p["messagesSent"], 6);
  EXPECT_EQ(p["messagesReceived"], 7);
  EXPECT_EQ(p["holdTime"], 3);
  EXPECT_EQ(p["keepaliveTime"], 1);
  EXPECT_TRUE(p["lastError"].is_null()) << p["lastError"];
  EXPECT_EQ(p["awsStatus"], "UP");
  EXPECT_EQ(p["awsStatusMessage"], "2 BGP ROUTES");
  EXPECT_EQ(networks(p["learnedRoutes"]), (std::vector<std::string>{"0.0.0.0/0", "10.2.0.0/16"}));
  const json& learned = p["learnedRoutes"][1];
  EXPECT_EQ(learned["nextHop"], "169.254.21.1");
  EXPECT_EQ(learned["asPath"], "64512");
  EXPECT_EQ(learned["origin"], "IGP");
  EXPECT_EQ(learned["sourcePeer"], "169.254.21.1");
  EXPECT_FALSE(learned["best"].get<bool>());  // the ECMP partner; 169.254.22.1 is best
  EXPECT_EQ(networks(p["advertisedRoutes"]),
            (std::vector<std::string>{"10.1.0.0/16", "10.2.0.0/16"}));
  EXPECT_EQ(p["advertisedRoutes"][0]["nextHop"], "169.254.21.2");
  EXPECT_TRUE(peer(s, "169.254.22.1")["advertisedRoutes"].empty());  // not read for it
  // Loc-RIB: both ECMP paths of each learned prefix, and the own network as "local" (the
  // fabric propagates only routes with a peer as source).
  std::map<std::string, std::vector<std::string>> sources;
  for (const auto& r : s["locRib"]) sources[r["network"]].push_back(r["sourcePeer"]);
  EXPECT_EQ(sources["10.2.0.0/16"], (std::vector<std::string>{"169.254.21.1", "169.254.22.1"}));
  EXPECT_EQ(sources["10.1.0.0/16"], (std::vector<std::string>{"local"}));
}

TEST(FrrStatus, PrefixLimitNotificationIsTheLastError) {
  json s = frr_status_from(frr_show("limit"), reference_plan("azure-gw0"));
  const json& p = peer(s, "169.254.22.1");
  EXPECT_EQ(p["state"], "Idle");
  EXPECT_EQ(p["lastError"], "BGP Notification received: Cease/Maximum Number of Prefixes Reached");
  EXPECT_EQ(p["awsStatus"], "DOWN");
  EXPECT_EQ(p["awsStatusMessage"], "");
  EXPECT_EQ(p["holdTime"], 0);  // negotiated values only while up
  EXPECT_EQ(p["connectedSeconds"], 0);
}

TEST(FrrStatus, UnreadableOutputIsAnError) {
  json s = frr_status_from({"% Unknown command", "{}", {}}, reference_plan("azure-gw0"));
  EXPECT_TRUE(s.contains("error"));
  EXPECT_TRUE(s["peers"].empty());
}

std::int64_t since(const std::string& protocols, const std::string& name) {
  std::smatch m;
  std::regex re(name + R"(\s+BGP\s+---\s+\w+\s+(\d+))");
  EXPECT_TRUE(std::regex_search(protocols, m, re)) << name;
  return std::stoll(m[1]);
}

TEST(BirdStatus, EstablishedPeersRoutesAndExports) {
  BirdShow show{data("bird_protocols_established.txt"),
                data("bird_routes_established.txt"),
                {{"bgp_aws0t1", data("bird_export_established.txt")}}};
  const std::int64_t now = since(show.protocols, "bgp_aws0t1") + 3725;  // 1 h 2 min 5 s later
  json s = bird_status_from(show, aws_test_plan(), now);
  EXPECT_EQ(s["implementation"], "bird");
  EXPECT_EQ(s["asn"], 64512);
  ASSERT_EQ(s["peers"].size(), 2u);
  const json& p = peer(s, "169.254.21.2");
  EXPECT_EQ(p["asn"], 65000);
  EXPECT_EQ(p["localAddress"], "169.254.21.1");
  EXPECT_EQ(p["state"], "Connected");
  EXPECT_EQ(p["connectedSeconds"], 3725);
  EXPECT_EQ(p["connectedDuration"], "0.01:02:05");
  EXPECT_EQ(p["routesReceived"], 1);
  EXPECT_EQ(p["awsStatusMessage"], "1 BGP ROUTES");
  EXPECT_EQ(p["holdTime"], 3);
  EXPECT_EQ(p["keepaliveTime"], 1);
  EXPECT_FALSE(p.contains("messagesSent"));  // BIRD keeps no message counts
  EXPECT_TRUE(p["lastError"].is_null());
  ASSERT_EQ(p["learnedRoutes"].size(), 1u);
  const json& r = p["learnedRoutes"][0];
  EXPECT_EQ(r["network"], "10.1.0.0/16");
  EXPECT_EQ(r["nextHop"], "169.254.21.2");
  EXPECT_EQ(r["asPath"], "65000");
  EXPECT_EQ(r["med"], 0);
  EXPECT_EQ(r["localPref"], 100);
  EXPECT_TRUE(r["best"].get<bool>());
  // The same prefix from the other tunnel: kept, not best (no ECMP on a VGW).
  EXPECT_FALSE(peer(s, "169.254.22.2")["learnedRoutes"][0]["best"].get<bool>());
  EXPECT_EQ(networks(p["advertisedRoutes"]),
            (std::vector<std::string>{"0.0.0.0/0", "10.2.0.0/16"}));
  EXPECT_EQ(p["advertisedRoutes"][1]["nextHop"], "169.254.21.1");
  // Loc-RIB: the best route per prefix; the node's own prefixes as "local".
  std::map<std::string, std::string> source;
  for (const auto& l : s["locRib"]) source[l["network"]] = l["sourcePeer"];
  EXPECT_EQ(source["10.1.0.0/16"], "169.254.21.2");
  EXPECT_EQ(source["10.2.0.0/16"], "local");
  EXPECT_EQ(source["0.0.0.0/0"], "local");
  EXPECT_EQ(s["locRib"].size(), 3u);
}

TEST(BirdStatus, ReceiveLimitIsTheLastError) {
  BirdShow show{data("bird_protocols_limit.txt"), data("bird_routes_limit.txt"), {}};
  json s = bird_status_from(show, aws_test_plan(), 0);
  const json& p = peer(s, "169.254.21.2");
  EXPECT_EQ(p["state"], "Connecting");  // BGP state Active: restarting after the error
  EXPECT_EQ(p["bgpState"], "Active");
  EXPECT_EQ(p["lastError"], "Automatic shutdown: Route limit exceeded");
  EXPECT_EQ(peer(s, "169.254.22.2")["state"], "Idle");
  EXPECT_EQ(p["routesReceived"], 0);
  EXPECT_EQ(p["awsStatus"], "DOWN");
}

TEST(BirdStatus, NoBgpProtocolIsAnError) {
  json s = bird_status_from({"BIRD 2.0.12 ready.\n", "", {}}, aws_test_plan(), 0);
  EXPECT_TRUE(s.contains("error"));
}

}  // namespace
}  // namespace vpnlab::topology::nodes
