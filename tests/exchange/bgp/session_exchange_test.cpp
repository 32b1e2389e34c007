// Two (or three) BgpCores talking through the in-memory lab with a fake clock: the
// Azure <-> AWS session in RFC 4271 message order, timers, hold-timer expiry, collisions.
//
//   azure (AS 65515, passive, VNet 10.1.0.0/16) 169.254.21.2 ──── 169.254.21.1 aws (AS 64512,
//   VPC 10.2.0.0/16, hold 30)
#include <gtest/gtest.h>

#include "lab.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

struct AzureAws : ::testing::Test {
  Lab lab;
  Node& azure = lab.add_node("azure", azure_vpn_gateway({pfx("10.1.0.0/16")}), ip("169.254.21.2"),
                             {pfx("10.1.0.0/16")});
  Node& aws = lab.add_node("aws", aws_vgw(), ip("169.254.21.1"), {pfx("10.2.0.0/16")});
  AzureAws() { lab.link(azure, ip("169.254.21.2"), aws, ip("169.254.21.1"), "vti0", "vti1"); }
};

TEST_F(AzureAws, SessionComesUpAndRoutesAreExchanged) {
  lab.start_all();
  // OPEN → OPEN → KEEPALIVE → KEEPALIVE → UPDATE(s) + End-of-RIB both ways.
  EXPECT_EQ(lab.state(azure, "169.254.21.1"), BgpState::established);
  EXPECT_EQ(lab.state(aws, "169.254.21.2"), BgpState::established);
  EXPECT_EQ(azure.open_tcp, 0);  // cloud-facts: "APIPA passivity" [Z-AWS-OLD]
  EXPECT_EQ(aws.open_tcp, 1);
  // Hold time: min(180, 30) = 30 on both sides; keepalive 10.
  auto az = lab.peer_status(azure, "169.254.21.1");
  EXPECT_EQ(az.hold_time, Seconds(30));
  EXPECT_EQ(az.keepalive_time, Seconds(10));
  EXPECT_EQ(az.routes_received, 1u);
  ASSERT_EQ(az.learned.size(), 1u);
  EXPECT_EQ(az.learned[0].as_path, "64512");
  EXPECT_EQ(az.learned[0].next_hop, ip("169.254.21.1"));
  EXPECT_EQ(azure.fib.at(pfx("10.2.0.0/16")),
            (std::vector<FibNextHop>{{ip("169.254.21.1"), "vti0"}}));
  EXPECT_EQ(aws.fib.at(pfx("10.1.0.0/16")),
            (std::vector<FibNextHop>{{ip("169.254.21.2"), "vti1"}}));
  EXPECT_EQ(std::string(azure_state(az)), "Connected");
  EXPECT_EQ(aws_status_message(lab.peer_status(aws, "169.254.21.2")), "1 BGP ROUTES");
}

TEST_F(AzureAws, KeepalivesHoldTheSession) {
  lab.start_all();
  auto before = lab.peer_status(azure, "169.254.21.1").messages_received;
  lab.advance(Seconds(300));
  auto az = lab.peer_status(azure, "169.254.21.1");
  EXPECT_EQ(az.state, BgpState::established);
  EXPECT_GE(az.messages_received, before + 29);  // a KEEPALIVE every 10 s
  EXPECT_EQ(az.connected_duration, Seconds(300));
  EXPECT_EQ(azure_duration(az.connected_duration), "0.00:05:00");
}

TEST_F(AzureAws, HoldTimerExpiresWhenPeerIsFrozen) {
  lab.start_all();
  aws.frozen = true;
  lab.advance(Seconds(31));
  auto az = lab.peer_status(azure, "169.254.21.1");
  EXPECT_NE(az.state, BgpState::established);
  ASSERT_TRUE(az.last_error);
  EXPECT_EQ(az.last_error->notification.code, 4);  // RFC 4271 §6.5 Hold Timer Expired
  EXPECT_TRUE(az.last_error->sent);
  EXPECT_FALSE(azure.fib.count(pfx("10.2.0.0/16")));  // withdrawn from the FIB
  aws.frozen = false;
  lab.advance(Seconds(60));  // AWS notices, both restart; AWS connects again
  EXPECT_EQ(lab.state(azure, "169.254.21.1"), BgpState::established);
  EXPECT_TRUE(azure.fib.count(pfx("10.2.0.0/16")));
}

TEST_F(AzureAws, WithdrawalRemovesTheRoute) {
  lab.start_all();
  aws.core->withdraw(pfx("10.2.0.0/16"));
  lab.pump();
  EXPECT_FALSE(azure.fib.count(pfx("10.2.0.0/16")));
  EXPECT_EQ(lab.peer_status(azure, "169.254.21.1").routes_received, 0u);
  aws.core->announce(pfx("10.2.0.0/16"));
  lab.pump();
  EXPECT_TRUE(azure.fib.count(pfx("10.2.0.0/16")));
}

TEST_F(AzureAws, AwsEndsSessionAbove100Prefixes) {
  lab.start_all();
  for (std::uint32_t i = 0; i < 101; ++i)
    azure.core->announce(Ipv4Prefix{Ipv4Address{0x0a640000u + (i << 8)}, 24});
  lab.pump();
  // cloud-facts: "Behaviour when >100" [X-AVX]: Cease/1, data AFI 1 SAFI 1 limit 100.
  auto az = lab.peer_status(azure, "169.254.21.1");
  ASSERT_TRUE(az.last_error);
  EXPECT_FALSE(az.last_error->sent);
  EXPECT_EQ(az.last_error->notification,
            (Notification{6, 1, Bytes{0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x64}}));
  EXPECT_EQ(az.last_error->text, "received Cease/Maximum Number of Prefixes Reached");
  EXPECT_EQ(lab.state(aws, "169.254.21.2"), BgpState::idle);
  EXPECT_TRUE(aws.fib.empty());
}

TEST_F(AzureAws, RouteRefreshResendsRoutes) {
  lab.start_all();
  auto before = lab.peer_status(azure, "169.254.21.1").messages_received;
  azure.core->request_route_refresh(ip("169.254.21.1"));
  lab.pump();
  auto az = lab.peer_status(azure, "169.254.21.1");
  EXPECT_EQ(az.messages_received, before + 1);  // the re-sent UPDATE
  EXPECT_EQ(az.routes_received, 1u);
}

TEST_F(AzureAws, ManualStopWithdrawsAndShowsStopped) {
  lab.start_all();
  azure.core->stop_peer(ip("169.254.21.1"));
  lab.pump();
  auto az = lab.peer_status(azure, "169.254.21.1");
  EXPECT_EQ(std::string(azure_state(az)), "Stopped");
  EXPECT_FALSE(azure.fib.count(pfx("10.2.0.0/16")));
  EXPECT_FALSE(aws.fib.count(pfx("10.1.0.0/16")));
}

// RFC 4486 §4: an operator's reset closes the session with Cease / Administrative Reset;
// both ends restart it after the idle hold time (RFC 4271 Event 3/5), AWS connects again.
TEST_F(AzureAws, AdministrativeResetComesBackByTheFsm) {
  lab.start_all();
  EXPECT_FALSE(aws.core->reset_peer(ip("169.254.99.1")));  // no such peer
  ASSERT_TRUE(azure.core->reset_peer(ip("169.254.21.1")));
  lab.pump();
  auto aw = lab.peer_status(aws, "169.254.21.2");
  ASSERT_TRUE(aw.last_error);
  EXPECT_FALSE(aw.last_error->sent);
  EXPECT_EQ(aw.last_error->notification, (Notification{6, 4, {}}));
  EXPECT_EQ(aw.last_error->text, "received Cease/Administrative Reset");
  EXPECT_NE(lab.state(azure, "169.254.21.1"), BgpState::established);
  EXPECT_FALSE(aws.fib.count(pfx("10.1.0.0/16")));           // withdrawn
  EXPECT_FALSE(azure.core->reset_peer(ip("169.254.21.1")));  // nothing open to reset
  lab.advance(Seconds(30));
  EXPECT_EQ(lab.state(azure, "169.254.21.1"), BgpState::established);
  EXPECT_EQ(lab.state(aws, "169.254.21.2"), BgpState::established);
  EXPECT_TRUE(aws.fib.count(pfx("10.1.0.0/16")));
  EXPECT_EQ(aws.open_tcp, 2);  // AWS opened the session again (Azure APIPA is passive)
}

// RFC 4271 §6.8: both sides connect at once; the connection initiated by the side with
// the lower BGP Identifier is closed with Cease/7 and exactly one session remains.
TEST(BgpCollision, SimultaneousOpensLeaveOneSession) {
  Lab lab;
  Personality a_p = aws_vgw();
  Personality b_p = aws_vgw();
  b_p.asn = Asn{65001};
  Node& a = lab.add_node("a", a_p, ip("169.254.21.1"), {pfx("10.2.0.0/16")});
  Node& b = lab.add_node("b", b_p, ip("169.254.21.2"), {pfx("10.1.0.0/16")});
  lab.link(a, ip("169.254.21.1"), b, ip("169.254.21.2"));
  lab.start_all();
  EXPECT_EQ(lab.state(a, "169.254.21.2"), BgpState::established);
  EXPECT_EQ(lab.state(b, "169.254.21.1"), BgpState::established);
  EXPECT_EQ(a.open_tcp + b.open_tcp, 2);
  bool cease7 = false;
  for (const auto& [peer, bytes] : a.sent)
    if (bytes.size() > 20 && bytes[18] == 3 && bytes[19] == 6 && bytes[20] == 7) cease7 = true;
  for (const auto& [peer, bytes] : b.sent)
    if (bytes.size() > 20 && bytes[18] == 3 && bytes[19] == 6 && bytes[20] == 7) cease7 = true;
  EXPECT_TRUE(cease7);
  EXPECT_TRUE(a.fib.count(pfx("10.1.0.0/16")));
  lab.advance(Seconds(100));
  EXPECT_EQ(lab.state(a, "169.254.21.2"), BgpState::established);
}

}  // namespace
}  // namespace vpnlab::bgp
