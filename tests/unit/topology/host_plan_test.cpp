// A gateway node moved onto a host interface (topology/host_plan.hpp) and its plan file's
// underlay section: each bad input gives an error naming the option or field.
#include <gtest/gtest.h>

#include <functional>

#include "topology/host_plan.hpp"
#include "topology/lab_loader.hpp"

namespace vpnlab::topology {
namespace {

GatewayPlan lab_node(const std::string& name) {
  auto loaded = load_lab_text(default_lab_yaml(), "lab.yaml");
  EXPECT_TRUE(loaded.lab.has_value());
  for (auto& g : compile(*loaded.lab).gateways) {
    if (g.node == name) return g;
  }
  ADD_FAILURE() << "no node " << name;
  return {};
}

Ipv4Prefix pfx(const char* s) {
  return *Ipv4Prefix::parse(s, false);
}
Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}

HostPlanOptions one_tunnel() {
  HostPlanOptions o;
  o.interface = "eth1";
  o.addresses = {pfx("192.0.2.10/24")};
  o.peer_all = ip("192.0.2.20");
  o.tunnels = {"aws0t1"};
  return o;
}

std::string error_of(const Checked<GatewayPlan>& p) {
  return p ? std::string("(no error)") : p.error().message;
}

TEST(HostPlan, OneTunnelMovesOntoTheHostAddressAndKeepsItsOptions) {
  GatewayPlan lab = lab_node("aws-vgw");
  auto p = host_plan(lab, one_tunnel());
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->tunnels.size(), 1u);
  const TunnelPlan& t = p->tunnels[0];
  EXPECT_EQ(t.name, "ToAzureInstance0.tunnel1");
  EXPECT_EQ(t.local_outside, ip("192.0.2.10"));
  EXPECT_EQ(t.remote_outside, ip("192.0.2.20"));
  EXPECT_EQ(t.inside, lab.tunnels[0].inside);
  EXPECT_EQ(t.ike_proposals, lab.tunnels[0].ike_proposals);
  ASSERT_EQ(p->bgp_neighbors.size(), 1u);  // only the kept tunnel's session
  EXPECT_EQ(p->bgp_neighbors[0].device, "aws0t1");
  EXPECT_EQ(p->public_addresses, std::vector<Ipv4Address>{ip("192.0.2.10")});
  EXPECT_TRUE(p->netns.empty());
  ASSERT_TRUE(p->underlay);
  EXPECT_EQ(p->underlay->interface, "eth1");
}

TEST(HostPlan, OneAddressPerPublicAddressInOrder) {
  HostPlanOptions o = one_tunnel();
  o.tunnels = {"aws0t1", "ToAzureInstance0.tunnel2"};
  o.addresses = {pfx("192.0.2.10/24"), pfx("192.0.2.11/24")};
  auto p = host_plan(lab_node("aws-vgw"), o);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->tunnels[0].local_outside, ip("192.0.2.10"));
  EXPECT_EQ(p->tunnels[1].local_outside, ip("192.0.2.11"));
  EXPECT_EQ(p->public_addresses.size(), 2u);
}

TEST(HostPlan, TunnelsThatIkeCannotTellApartAreRefused) {
  HostPlanOptions o = one_tunnel();
  o.tunnels.clear();  // all four AWS tunnels on one address to one peer
  EXPECT_NE(error_of(host_plan(lab_node("aws-vgw"), o)).find("IKE cannot tell them apart"),
            std::string::npos);
  o.addresses = {pfx("192.0.2.10/24"), pfx("192.0.2.11/24")};  // neither 1 nor 4
  EXPECT_NE(error_of(host_plan(lab_node("aws-vgw"), o)).find("--address: "), std::string::npos);
  // Per-tunnel peers make the four pairs distinct.
  o.addresses = {pfx("192.0.2.10/24")};
  o.peer_all.reset();
  o.peer_by_tunnel = {{"aws0t1", ip("192.0.2.20")},
                      {"aws0t2", ip("192.0.2.21")},
                      {"aws1t1", ip("192.0.2.22")},
                      {"ToAzureInstance1.tunnel2", ip("192.0.2.23")}};
  auto p = host_plan(lab_node("aws-vgw"), o);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->tunnels[3].remote_outside, ip("192.0.2.23"));
}

TEST(HostPlan, ErrorsNameTheOptionOrField) {
  struct Case {
    const char* want;
    std::function<void(HostPlanOptions&)> change;
  };
  std::vector<Case> cases = {
      {"--tunnel: aws-vgw has no tunnel 'nope'", [](auto& o) { o.tunnels = {"nope"}; }},
      {"--peer-address nope=",
       [](auto& o) {
         o.peer_by_tunnel = {{"nope", ip("192.0.2.9")}};
       }},
      {"--address: required", [](auto& o) { o.addresses.clear(); }},
      {"underlay.host: ", [](auto& o) { o.interface = "a-name-far-too-long"; }},
      {"underlay.address: 192.0.2.0/24 is a network",
       [](auto& o) { o.addresses = {pfx("192.0.2.0/24")}; }},
      {"underlay.gateway: missing, and tunnels[0]",
       [](auto& o) { o.peer_all = ip("198.18.0.20"); }},
      {"underlay.gateway: 10.0.0.1 is not in the subnet",
       [](auto& o) { o.gateway = ip("10.0.0.1"); }},
      {"remote_outside: 192.0.2.10 is our own address",
       [](auto& o) { o.peer_all = ip("192.0.2.10"); }},
  };
  for (const auto& c : cases) {
    HostPlanOptions o = one_tunnel();
    c.change(o);
    EXPECT_NE(error_of(host_plan(lab_node("aws-vgw"), o)).find(c.want), std::string::npos)
        << "want '" << c.want << "', got: " << error_of(host_plan(lab_node("aws-vgw"), o));
  }
  // A peer off the subnet is fine through a gateway on it.
  HostPlanOptions o = one_tunnel();
  o.peer_all = ip("198.18.0.20");
  o.gateway = ip("192.0.2.1");
  EXPECT_TRUE(host_plan(lab_node("aws-vgw"), o));
}

TEST(HostPlan, TheHostRunsVpnlabsGatewayWhateverRunsTheNodeInTheLab) {
  GatewayPlan lab = lab_node("aws-vgw");
  lab.implementation = "strongswan+bird";
  auto p = host_plan(lab, one_tunnel());
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->implementation, "vpnlab");
  p->implementation = "external";
  auto rc = check_host_plan(*p);
  ASSERT_FALSE(rc);
  EXPECT_NE(rc.error().message.find("implementation: external"), std::string::npos);
}

TEST(HostPlan, RedactedPskIsRefusedWhenRun) {
  auto p = host_plan(lab_node("aws-vgw"), one_tunnel());
  ASSERT_TRUE(p);
  p->tunnels[0].psk = SecretBytes(std::string_view(kRedactedPsk));
  auto rc = check_host_plan(*p);
  ASSERT_FALSE(rc);
  EXPECT_NE(rc.error().message.find("tunnels[0] (ToAzureInstance0.tunnel1).psk: redacted"),
            std::string::npos)
      << rc.error().message;
}

TEST(HostPlanFile, UnderlayRoundTripsAndBadFieldsAreNamed) {
  HostPlanOptions o = one_tunnel();
  o.gateway = ip("192.0.2.1");
  auto p = host_plan(lab_node("aws-vgw"), o);
  ASSERT_TRUE(p) << p.error().message;
  std::string text = plan_to_yaml(*p);
  auto back = plan_from_yaml(text);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->underlay);
  EXPECT_EQ(back->underlay->interface, "eth1");
  EXPECT_EQ(back->underlay->addresses, std::vector<Ipv4Prefix>{pfx("192.0.2.10/24")});
  EXPECT_EQ(back->underlay->gateway, ip("192.0.2.1"));
  EXPECT_TRUE(check_host_plan(*back));
  EXPECT_FALSE(plan_from_yaml(plan_to_yaml(lab_node("aws-vgw")))->underlay);

  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) t.replace(at, from.size(), to);
    auto r = plan_from_yaml(t);
    return r ? std::string("(no error)") : r.error().message;
  };
  EXPECT_NE(with("address: 192.0.2.10/24", "address: 192.0.2.10").find("'underlay.address'"),
            std::string::npos);
  EXPECT_NE(with("address: 192.0.2.10/24", "address: [192.0.2.10/24, x]").find("'x'"),
            std::string::npos);
  EXPECT_NE(with("host: eth1", "hots: eth1").find("'underlay.host'"), std::string::npos);
  EXPECT_NE(with("gateway: 192.0.2.1", "gateway: 192.0.2").find("'underlay.gateway'"),
            std::string::npos);
  EXPECT_NE(with("gateway: 192.0.2.1", "gw: 192.0.2.1").find("'underlay.gw' is unknown"),
            std::string::npos);
}

}  // namespace
}  // namespace vpnlab::topology
