// The path impairment's command lines (topology/drills/impairment.hpp): what tc and nft get,
// and the option parser's errors.
#include "topology/drills/impairment.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vpnlab::topology::drills {
namespace {

using Args = std::vector<std::string>;

TunnelPath aws0t1() {
  TunnelPath p;
  p.tunnel = "aws0t1";
  p.router_netns = "dr-internet";
  p.port_toward_azure = "az-gw0";
  p.port_toward_aws = "aws-vgw";
  p.azure_outside = *Ipv4Address::parse("203.0.113.10");
  p.aws_outside = *Ipv4Address::parse("198.51.100.10");
  p.class_minor = 10;
  return p;
}

TEST(Impairment, ParsesTheCommandLineSpelling) {
  auto i = parse_impairment("5%", "150ms", "20ms", "100mbit", false);
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->loss_percent, 5);
  EXPECT_EQ(i->delay.count(), 150);
  EXPECT_EQ(i->jitter.count(), 20);
  EXPECT_EQ(i->rate_kbit, 100000u);
  EXPECT_EQ(i->describe(), "loss 5%, delay 150 ms +- 20 ms, rate 100 Mbit/s");
  auto s = parse_impairment("", "0.2s", "", "1gbit", false);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->delay.count(), 200);
  EXPECT_EQ(s->rate_kbit, 1000000u);
  auto d = parse_impairment("", "", "", "", true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->describe(), "down (every packet of the tunnel dropped)");
}

TEST(Impairment, RejectsBadValuesNamingTheOption) {
  struct Case {
    const char *loss, *delay, *jitter, *rate, *option;
  };
  for (const Case& c :
       {Case{"105%", "", "", "", "--loss"}, Case{"x", "", "", "", "--loss"},
        Case{"", "150furlongs", "", "", "--delay"}, Case{"", "", "", "100mbps", "--rate"},
        Case{"", "10ms", "20ms", "", "--jitter"}}) {
    SCOPED_TRACE(c.option);
    auto i = parse_impairment(c.loss, c.delay, c.jitter, c.rate, false);
    ASSERT_FALSE(i);
    EXPECT_NE(i.error().message.find(c.option), std::string::npos) << i.error().message;
  }
  auto none = parse_impairment("", "", "", "", false);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("needs --loss"), std::string::npos);
}

// The argument lists joined with spaces, one command per line.
std::string joined(const std::vector<Args>& commands) {
  std::string out;
  for (const auto& c : commands) {
    for (std::size_t i = 0; i < c.size(); ++i) out += (i ? " " : "") + c[i];
    out += "\n";
  }
  return out;
}

TEST(Impairment, LossAndDownAreOneNftRuleOnTheTunnelsPair) {
  EXPECT_EQ(joined(nft_install_args(aws0t1(), *parse_impairment("5%", "", "", "", false))),
            "add table ip vpnlab_drill_aws0t1\n"
            "add chain ip vpnlab_drill_aws0t1 forward { type filter hook forward priority 0 ; "
            "policy accept ; }\n"
            "add rule ip vpnlab_drill_aws0t1 forward ip saddr { 203.0.113.10, 198.51.100.10 } ip "
            "daddr { 203.0.113.10, 198.51.100.10 } numgen random mod 10000 < 500 counter drop\n");
  auto down = nft_install_args(aws0t1(), *parse_impairment("", "", "", "", true));
  ASSERT_EQ(down.size(), 3u);
  EXPECT_EQ(down[2].back(), "drop");
  EXPECT_EQ(std::count(down[2].begin(), down[2].end(), "numgen"), 0);
  EXPECT_EQ(joined(nft_remove_args(aws0t1())), "delete table ip vpnlab_drill_aws0t1\n");
  // Delay and rate only: no nft rule at all.
  EXPECT_TRUE(nft_install_args(aws0t1(), *parse_impairment("", "150ms", "", "", false)).empty());
}

TEST(Impairment, RateAndDelayAreAnHtbClassWithANetemLeafPerDirection) {
  // Azure -> AWS leaves the router toward AWS (aws-vgw); AWS -> Azure toward Azure (az-gw0).
  EXPECT_EQ(
      joined(tc_install_args(aws0t1(), *parse_impairment("", "150ms", "20ms", "100mbit", false))),
      "qdisc add dev aws-vgw root handle 1: htb default 1\n"
      "class add dev aws-vgw parent 1: classid 1:1 htb rate 10gbit quantum 60000\n"
      "class add dev aws-vgw parent 1: classid 1:10 htb rate 100000kbit ceil 100000kbit "
      "quantum 60000\n"
      "qdisc add dev aws-vgw parent 1:10 handle 10: netem delay 150ms 20ms\n"
      "filter add dev aws-vgw parent 1: protocol ip prio 1 u32 match ip src "
      "203.0.113.10/32 match ip dst 198.51.100.10/32 flowid 1:10\n"
      "qdisc add dev az-gw0 root handle 1: htb default 1\n"
      "class add dev az-gw0 parent 1: classid 1:1 htb rate 10gbit quantum 60000\n"
      "class add dev az-gw0 parent 1: classid 1:10 htb rate 100000kbit ceil 100000kbit "
      "quantum 60000\n"
      "qdisc add dev az-gw0 parent 1:10 handle 10: netem delay 150ms 20ms\n"
      "filter add dev az-gw0 parent 1: protocol ip prio 1 u32 match ip src "
      "198.51.100.10/32 match ip dst 203.0.113.10/32 flowid 1:10\n");
  // Rate only: no netem leaf.
  EXPECT_EQ(tc_install_args(aws0t1(), *parse_impairment("", "", "", "100mbit", false)).size(), 8u);
  EXPECT_TRUE(tc_install_args(aws0t1(), *parse_impairment("5%", "", "", "", false)).empty());
  EXPECT_EQ(joined(tc_remove_args(aws0t1())),
            "qdisc del dev aws-vgw root\nqdisc del dev az-gw0 root\n");
}

}  // namespace
}  // namespace vpnlab::topology::drills
