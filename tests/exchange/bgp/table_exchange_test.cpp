// A larger table between two cores: per-route state shares interned attribute sets and
// next-hop groups, and everything is released again when the routes go (RIB storage of
// bgp/core/rib.hpp; withdrawals RFC 4271 §9.1.3, peer down §8.2.2 Event 18 → §9).
//
//   aws (64512) 169.254.21.1 ── 169.254.21.2 azure (65515)
#include <gtest/gtest.h>

#include "lab.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

std::vector<Ipv4Prefix> many_networks(std::size_t n) {
  std::vector<Ipv4Prefix> out;
  for (std::uint32_t i = 0; i < n; ++i)
    out.push_back(Ipv4Prefix{Ipv4Address{0x14000000u + (i << 8)}, 24});
  return out;
}

struct TwoNodes {
  Lab lab;
  Node& azure;
  Node& aws;
  explicit TwoNodes(std::size_t routes)
      : azure(lab.add_node("azure", azure_vpn_gateway(), ip("10.255.0.1"), {pfx("10.1.0.0/16")})),
        aws(lab.add_node("aws", aws_vgw(), ip("169.254.21.1"), many_networks(routes))) {
    lab.link(azure, ip("169.254.21.2"), aws, ip("169.254.21.1"), "vti0");
    lab.start_all();
  }
};

TEST(BgpTable, RoutesShareOneAttributeSetAndOneNextHopGroup) {
  TwoNodes t(1500);
  EXPECT_EQ(t.azure.core->loc_rib_size(), 1501u);  // 1500 learned + its own VNet
  EXPECT_EQ(t.azure.fib.size(), 1500u);
  // One set for the 1500 learned routes (same AS_PATH, NEXT_HOP...), one for the VNet.
  EXPECT_EQ(t.azure.core->attribute_sets(), 2u);
  EXPECT_EQ(t.azure.core->next_hop_groups(), 1u);
  EXPECT_EQ(t.lab.peer_status(t.azure, "169.254.21.1").routes_received, 1500u);
  auto st = t.azure.core->status();
  ASSERT_EQ(st.loc_rib.size(), 1501u);
  EXPECT_TRUE(
      std::is_sorted(st.loc_rib.begin(), st.loc_rib.end(),
                     [](const RouteView& a, const RouteView& b) { return a.prefix < b.prefix; }));
}

TEST(BgpTable, WithdrawalsReleaseAttributesNextHopsAndEntries) {
  TwoNodes t(1500);
  auto nets = many_networks(1500);
  for (std::size_t i = 0; i < 1000; ++i) t.aws.core->withdraw(nets[i]);
  t.lab.pump();
  EXPECT_EQ(t.azure.core->loc_rib_size(), 501u);
  EXPECT_EQ(t.azure.fib.size(), 500u);
  EXPECT_EQ(t.azure.core->rib_prefixes(), 501u);  // withdrawn prefixes leave no entry
  EXPECT_EQ(t.lab.peer_status(t.azure, "169.254.21.1").routes_received, 500u);
  for (std::size_t i = 1000; i < 1500; ++i) t.aws.core->withdraw(nets[i]);
  t.lab.pump();
  EXPECT_EQ(t.azure.fib.size(), 0u);
  EXPECT_EQ(t.azure.core->attribute_sets(), 1u);  // only the VNet's own
  EXPECT_EQ(t.azure.core->next_hop_groups(), 0u);
  EXPECT_EQ(t.azure.core->rib_prefixes(), 1u);
}

TEST(BgpTable, PeerDownReleasesEverythingItSent) {
  TwoNodes t(800);
  t.azure.core->stop_peer(ip("169.254.21.1"));
  t.lab.pump();
  EXPECT_EQ(t.azure.fib.size(), 0u);
  EXPECT_EQ(t.azure.core->loc_rib_size(), 1u);
  EXPECT_EQ(t.azure.core->attribute_sets(), 1u);
  EXPECT_EQ(t.azure.core->next_hop_groups(), 0u);
  EXPECT_EQ(t.azure.core->rib_prefixes(), 1u);
}

TEST(BgpTable, AdjRibOutSharesAttributeSetsAcrossRoutes) {
  // aws0 ── azure ── aws1: azure passes aws0's 1500 routes on to aws1 (eBGP, RFC 4271
  // §9.1.3), each prefix holding an id of one shared exported set, not a copy.
  Lab lab;
  Node& azure = lab.add_node("azure", azure_vpn_gateway(), ip("10.255.0.1"), {pfx("10.1.0.0/16")});
  Node& aws0 = lab.add_node("aws0", aws_vgw(), ip("169.254.21.1"), many_networks(1500));
  Node& aws1 = lab.add_node("aws1", aws_vgw(), ip("169.254.22.1"), {});
  lab.link(azure, ip("169.254.21.2"), aws0, ip("169.254.21.1"), "vti0");
  lab.link(azure, ip("169.254.22.2"), aws1, ip("169.254.22.1"), "vti1");
  lab.start_all();
  auto to_aws1 = lab.peer_status(azure, "169.254.22.1").advertised;
  EXPECT_EQ(to_aws1.size(), 1501u);  // the VNet + the learned routes
  // Sets sent: the VNet to each peer (next hop self differs) + the learned routes to aws1.
  EXPECT_EQ(azure.core->advertised_attribute_sets(), 3u);
  // RFC 4271 §9.1.2: aws1 drops them (its own AS 64512 is in the path).
  EXPECT_EQ(aws1.core->loc_rib_size(), 1u);
  azure.core->stop_peer(ip("169.254.21.1"));
  lab.pump();
  EXPECT_EQ(lab.peer_status(azure, "169.254.22.1").advertised.size(), 1u);
  EXPECT_EQ(azure.core->advertised_attribute_sets(), 1u);  // aws0's session is gone too
}

}  // namespace
}  // namespace vpnlab::bgp
