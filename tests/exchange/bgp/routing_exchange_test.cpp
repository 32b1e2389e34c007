// Route selection across several tunnels (cloud-facts §2.2 active/active ECMP, §1.2 VGW
// MED preference and no ECMP) and the graceful restart helper (RFC 4724 §4.2).
//
//   aws0 (64512) 169.254.21.1 ── 169.254.21.2 ┐
//                                              azure (65515, two instances as one core)
//   aws1 (64512) 169.254.22.1 ── 169.254.22.2 ┘
#include <gtest/gtest.h>

#include "lab.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

TEST(BgpRouting, AzureSpreadsOverBothTunnels) {
  Lab lab;
  Node& azure = lab.add_node("azure", azure_vpn_gateway({pfx("10.1.0.0/16")}), ip("10.255.0.1"),
                             {pfx("10.1.0.0/16")});
  Node& aws0 = lab.add_node("aws0", aws_vgw(), ip("169.254.21.1"), {pfx("10.2.0.0/16")});
  Node& aws1 = lab.add_node("aws1", aws_vgw(), ip("169.254.22.1"), {pfx("10.2.0.0/16")});
  lab.link(azure, ip("169.254.21.2"), aws0, ip("169.254.21.1"), "vti0");
  lab.link(azure, ip("169.254.22.2"), aws1, ip("169.254.22.1"), "vti1");
  lab.start_all();
  // Equal LOCAL_PREF, AS_PATH, ORIGIN, MED, both eBGP from AS 64512: ECMP.
  EXPECT_EQ(azure.fib.at(pfx("10.2.0.0/16")),
            (std::vector<FibNextHop>{{ip("169.254.21.1"), "vti0"}, {ip("169.254.22.1"), "vti1"}}));
  auto best = azure.core->loc_rib(pfx("10.2.0.0/16"));
  EXPECT_EQ(best.size(), 2u);
  // One tunnel down: the route shrinks to the other tunnel, then comes back.
  azure.core->stop_peer(ip("169.254.21.1"));
  lab.pump();
  EXPECT_EQ(azure.fib.at(pfx("10.2.0.0/16")),
            (std::vector<FibNextHop>{{ip("169.254.22.1"), "vti1"}}));
}

TEST(BgpRouting, VgwPicksLowestMedAndNoEcmp) {
  Lab lab;
  Node& aws = lab.add_node("aws", aws_vgw(), ip("10.255.0.2"), {pfx("10.2.0.0/16")});
  Personality az0 = azure_vpn_gateway();
  az0.export_policy.med = 200;
  Personality az1 = azure_vpn_gateway();
  az1.export_policy.med = 100;
  Node& azure0 = lab.add_node("azure0", az0, ip("169.254.21.2"), {pfx("10.1.0.0/16")});
  Node& azure1 = lab.add_node("azure1", az1, ip("169.254.22.2"), {pfx("10.1.0.0/16")});
  lab.link(aws, ip("169.254.21.1"), azure0, ip("169.254.21.2"), "vti0");
  lab.link(aws, ip("169.254.22.1"), azure1, ip("169.254.22.2"), "vti1");
  lab.start_all();
  // cloud-facts: "Route selection inside the VGW": equal AS_PATH, same first AS → lowest
  // MED; "ECMP": not on a VGW [A-ROUTE].
  EXPECT_EQ(aws.fib.at(pfx("10.1.0.0/16")),
            (std::vector<FibNextHop>{{ip("169.254.22.2"), "vti1"}}));
  auto st = aws.core->status();
  bool best_is_azure1 = false;
  for (const auto& p : st.peers)
    for (const auto& r : p.learned)
      if (r.best) best_is_azure1 = p.peer_address == ip("169.254.22.2");
  EXPECT_TRUE(best_is_azure1);
}

TEST(BgpRouting, AsPathPrependMovesTraffic) {
  Lab lab;
  Node& azure = lab.add_node("azure", azure_vpn_gateway(), ip("10.255.0.1"), {});
  Personality p0 = aws_vgw();
  p0.export_policy.as_path_prepend = 2;
  Node& aws0 = lab.add_node("aws0", p0, ip("169.254.21.1"), {pfx("10.2.0.0/16")});
  Node& aws1 = lab.add_node("aws1", aws_vgw(), ip("169.254.22.1"), {pfx("10.2.0.0/16")});
  lab.link(azure, ip("169.254.21.2"), aws0, ip("169.254.21.1"), "vti0");
  lab.link(azure, ip("169.254.22.2"), aws1, ip("169.254.22.1"), "vti1");
  lab.start_all();
  EXPECT_EQ(azure.fib.at(pfx("10.2.0.0/16")),
            (std::vector<FibNextHop>{{ip("169.254.22.1"), "vti1"}}));
  auto learned = lab.peer_status(azure, "169.254.21.1").learned;
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].as_path, "64512 64512 64512");
}

struct GracefulRestart : ::testing::Test {
  Lab lab;
  Node& azure = lab.add_node("azure", azure_vpn_gateway(), ip("169.254.21.2"), {});
  Node& aws = lab.add_node("aws", restarting_vgw(), ip("169.254.21.1"),
                           {pfx("10.2.0.0/16"), pfx("10.3.0.0/16")});
  static Personality restarting_vgw() {
    Personality p = aws_vgw();
    p.graceful_restart_families = true;  // RFC 4724 §3: IPv4 unicast, forwarding kept
    return p;
  }
  GracefulRestart() {
    lab.link(azure, ip("169.254.21.2"), aws, ip("169.254.21.1"));
    lab.start_all();
  }
};

TEST_F(GracefulRestart, RoutesStayStaleUntilEndOfRib) {
  ASSERT_EQ(azure.fib.size(), 2u);
  lab.break_connections(aws);  // TCP reset, no NOTIFICATION: RFC 4724 §4.2 applies
  EXPECT_EQ(azure.fib.size(), 2u);
  auto learned = lab.peer_status(azure, "169.254.21.1").learned;
  ASSERT_EQ(learned.size(), 2u);
  EXPECT_TRUE(learned[0].stale);
  // The peer comes back without 10.3.0.0/16: End-of-RIB flushes the stale route.
  aws.core->withdraw(pfx("10.3.0.0/16"));
  lab.advance(Seconds(10));
  EXPECT_EQ(lab.state(azure, "169.254.21.1"), BgpState::established);
  EXPECT_TRUE(azure.fib.count(pfx("10.2.0.0/16")));
  EXPECT_FALSE(azure.fib.count(pfx("10.3.0.0/16")));
  EXPECT_FALSE(lab.peer_status(azure, "169.254.21.1").learned.at(0).stale);
}

TEST_F(GracefulRestart, RestartTimerFlushesStaleRoutes) {
  aws.frozen = true;  // never comes back
  lab.break_connections(aws);
  EXPECT_EQ(azure.fib.size(), 2u);
  lab.advance(Seconds(121));  // the Restart Time advertised in the OPEN
  EXPECT_TRUE(azure.fib.empty());
}

TEST(BgpRouting, AzureRejectsVnetEqualRoutesAndNeverAdvertisesDefault) {
  Lab lab;
  Node& azure = lab.add_node("azure", azure_vpn_gateway({pfx("10.1.0.0/16")}), ip("10.255.0.1"),
                             {pfx("10.1.0.0/16"), pfx("0.0.0.0/0")});
  Personality onprem = aws_vgw();
  Node& aws = lab.add_node("aws", onprem, ip("169.254.21.1"),
                           {pfx("10.1.0.0/16"), pfx("10.0.0.0/8"), pfx("0.0.0.0/0")});
  lab.link(azure, ip("169.254.21.2"), aws, ip("169.254.21.1"));
  lab.start_all();
  // cloud-facts: "Prefix filtering" [Z-FAQ-BGP]: equal to the VNet → rejected; supersets
  // and 0.0.0.0/0 accepted.
  EXPECT_TRUE(azure.fib.count(pfx("10.0.0.0/8")));
  EXPECT_FALSE(azure.fib.count(pfx("10.1.0.0/16")));
  bool default_learned = false;
  for (const auto& r : lab.peer_status(azure, "169.254.21.1").learned)
    default_learned = default_learned || r.prefix == pfx("0.0.0.0/0");
  EXPECT_TRUE(default_learned);
  EXPECT_EQ(azure.core->counters().snapshot().at("bgp.import.equal_to_reserved"), 1u);
  // cloud-facts: "What Azure advertises": never the default route [Z-FAQ-BGP].
  for (const auto& r : lab.peer_status(azure, "169.254.21.1").advertised)
    EXPECT_NE(r.prefix, pfx("0.0.0.0/0"));
  for (const auto& r : lab.peer_status(aws, "169.254.21.2").learned)
    EXPECT_NE(r.prefix, pfx("0.0.0.0/0"));
}

}  // namespace
}  // namespace vpnlab::bgp
