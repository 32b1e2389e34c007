// `vpnlab graph`'s DOT from the reference lab's plan and a status document captured from the
// running reference lab (data/status/reference_lab_status.json, `vpnlab status --json`, see
// data/status/README.md): every tunnel and BGP session is an edge, states map to colours,
// learned routes sit next to each gateway, a silent gateway and a stopped lab are grey.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "topology/lab_graph.hpp"
#include "topology/lab_loader.hpp"

namespace vpnlab::topology {
namespace {

using nlohmann::json;

const char* const kDevices[] = {"aws0t1", "aws0t2", "aws1t1", "aws1t2"};

LabPlan reference_plan() {
  auto loaded = load_default_lab();
  EXPECT_TRUE(loaded.lab.has_value());
  return compile(*loaded.lab);
}

json fixture() {
  std::ifstream in(std::string(STATUS_DATA_DIR) + "/reference_lab_status.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// The DOT line of the edge with this id ("" when there is none).
std::string edge(const std::string& dot, const std::string& id) {
  std::istringstream lines(dot);
  std::string line, found;
  for (; std::getline(lines, line);) {
    if (line.find("id=\"" + id + "\"") == std::string::npos) continue;
    EXPECT_TRUE(found.empty()) << "two edges with id " << id;
    found = line;
  }
  return found;
}

bool coloured(const std::string& line, EdgeState s) {
  return line.find(std::string("color=\"") + edge_colour(s) + "\"") != std::string::npos;
}

json& tunnel_of(json& status, const std::string& node, const std::string& device) {
  for (auto& t : status["gateways"][node]["tunnels"]) {
    if (t["device"] == device) return t;
  }
  ADD_FAILURE() << "fixture has no tunnel " << device << " on " << node;
  static json none;
  return none;
}

json& peer_of(json& status, const std::string& node, const std::string& neighbor) {
  for (auto& p : status["gateways"][node]["bgp"]["peers"]) {
    if (p["neighbor"] == neighbor) return p;
  }
  ADD_FAILURE() << "fixture has no peer " << neighbor << " on " << node;
  static json none;
  return none;
}

TEST(LabGraph, RunningLabEveryTunnelAndSessionUp) {
  LabPlan plan = reference_plan();
  std::string dot = lab_dot(plan, fixture());
  EXPECT_EQ(dot.rfind("graph \"vpnlab-vpnlab\" {", 0), 0u) << dot;
  for (const char* d : kDevices) {
    SCOPED_TRACE(d);
    std::string t = edge(dot, std::string("tunnel_") + d);
    std::string b = edge(dot, std::string("bgp_") + d);
    EXPECT_TRUE(coloured(t, EdgeState::up)) << t;
    EXPECT_NE(t.find("Azure UP / AWS UP"), std::string::npos) << t;
    EXPECT_TRUE(coloured(b, EdgeState::up)) << b;
    EXPECT_NE(b.find("Established, routes received 1"), std::string::npos) << b;
  }
  // Tunnels and sessions run between the Azure instance that holds them and the VGW.
  EXPECT_EQ(edge(dot, "tunnel_aws1t2").rfind("  \"azure-gw1\" -- \"aws-vgw\"", 0), 0u);
  // Routes per instance: the VPC's prefix next to each Azure instance, the VNet's at the VGW.
  EXPECT_NE(dot.find("\"azure-gw0\" [label=\"azure-gw0\\n"), std::string::npos);
  EXPECT_NE(dot.find("learned:\\n10.2.0.0/16"), std::string::npos) << dot;
  EXPECT_NE(dot.find("learned:\\n10.1.0.0/16"), std::string::npos) << dot;
  EXPECT_NE(dot.find("Azure  VNet1GW  AS 65000  announces 10.1.0.0/16"), std::string::npos);
  EXPECT_NE(dot.find("AWS  AzureGW  AS 64512  announces 10.2.0.0/16"), std::string::npos);
  // Clusters and every underlay link.
  for (const char* c : {"cluster_azure", "cluster_internet", "cluster_aws"})
    EXPECT_NE(dot.find(c), std::string::npos) << c;
  std::size_t edges = 0;
  for (std::size_t at = dot.find(" -- "); at != std::string::npos; at = dot.find(" -- ", at + 1))
    ++edges;
  EXPECT_EQ(edges, plan.underlay.links.size() + 8);
}

TEST(LabGraph, TunnelStatesMapToColours) {
  LabPlan plan = reference_plan();
  json s = fixture();
  tunnel_of(s, "azure-gw0", "aws0t1")["status"] = "DOWN";
  tunnel_of(s, "aws-vgw", "aws0t1")["status"] = "DOWN";
  tunnel_of(s, "azure-gw0", "aws0t2")["status"] = "DOWN";  // one end only: half up
  std::string dot = lab_dot(plan, s);
  std::string down = edge(dot, "tunnel_aws0t1");
  EXPECT_TRUE(coloured(down, EdgeState::down)) << down;
  EXPECT_NE(down.find("Azure DOWN / AWS DOWN"), std::string::npos) << down;
  std::string half = edge(dot, "tunnel_aws0t2");
  EXPECT_TRUE(coloured(half, EdgeState::partial)) << half;
  EXPECT_NE(half.find("Azure DOWN / AWS UP"), std::string::npos) << half;
  EXPECT_TRUE(coloured(edge(dot, "tunnel_aws1t1"), EdgeState::up));
}

TEST(LabGraph, BgpStatesMapToColoursWithTheLastError) {
  LabPlan plan = reference_plan();
  json s = fixture();
  json& idle = peer_of(s, "azure-gw0", "169.254.21.1");
  idle["bgpState"] = "Idle";
  idle["lastErrorDetail"] = {{"direction", "received"},
                             {"name", "Cease/Maximum Number of Prefixes Reached"}};
  peer_of(s, "azure-gw1", "169.254.22.5")["bgpState"] = "Active";
  std::string dot = lab_dot(plan, s);
  std::string b = edge(dot, "bgp_aws0t1");
  EXPECT_TRUE(coloured(b, EdgeState::down)) << b;
  EXPECT_NE(b.find("last received: Cease/Maximum Number of Prefixes Reached"), std::string::npos)
      << b;
  EXPECT_TRUE(coloured(edge(dot, "bgp_aws1t2"), EdgeState::partial));
  EXPECT_TRUE(coloured(edge(dot, "bgp_aws0t2"), EdgeState::up));
}

TEST(LabGraph, SilentGatewayAndStoppedLabAreGrey) {
  LabPlan plan = reference_plan();
  json s = fixture();
  s["gateways"]["azure-gw1"] = nullptr;  // killed or restarting
  std::string dot = lab_dot(plan, s);
  for (const char* id : {"tunnel_aws1t1", "tunnel_aws1t2", "bgp_aws1t1", "bgp_aws1t2"})
    EXPECT_TRUE(coloured(edge(dot, id), EdgeState::unknown)) << id;
  EXPECT_TRUE(coloured(edge(dot, "tunnel_aws0t1"), EdgeState::up));
  EXPECT_NE(dot.find("NOT ANSWERING (down or restarting)"), std::string::npos);

  std::string stopped = lab_dot(plan, nullptr);
  EXPECT_NE(stopped.find("(not running: states unknown)"), std::string::npos);
  for (const char* d : kDevices) {
    EXPECT_TRUE(coloured(edge(stopped, std::string("tunnel_") + d), EdgeState::unknown)) << d;
    EXPECT_TRUE(coloured(edge(stopped, std::string("bgp_") + d), EdgeState::unknown)) << d;
  }
}

TEST(LabGraph, QuotesAreEscaped) {
  LabPlan plan = reference_plan();
  json s = fixture();
  peer_of(s, "azure-gw0", "169.254.21.1")["lastErrorDetail"] = {
      {"direction", "received"}, {"name", "Cease/Administrative Shutdown \"x\\y\""}};
  std::string b = edge(lab_dot(plan, s), "bgp_aws0t1");
  EXPECT_NE(b.find("Shutdown \\\"x\\\\y\\\""), std::string::npos) << b;
}

}  // namespace
}  // namespace vpnlab::topology
