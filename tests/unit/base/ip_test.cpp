#include "base/ip.hpp"

#include <gtest/gtest.h>

namespace vpnlab {
namespace {

TEST(Ipv4Address, ParsesAndPrints) {
  auto a = Ipv4Address::parse("169.254.21.2");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->value, 0xa9fe1502u);
  EXPECT_EQ(a->to_string(), "169.254.21.2");
}

TEST(Ipv4Address, RejectsMalformed) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "a.b.c.d", "1..2.3", "1.2.3.4 "}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Ipv4Address::parse(bad).has_value());
  }
}

TEST(Ipv4Prefix, StrictRejectsHostBits) {
  EXPECT_TRUE(Ipv4Prefix::parse("169.254.21.0/30").has_value());
  EXPECT_FALSE(Ipv4Prefix::parse("169.254.21.1/30").has_value());
  EXPECT_TRUE(Ipv4Prefix::parse("169.254.21.1/30", false).has_value());
  EXPECT_FALSE(Ipv4Prefix::parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(Ipv4Prefix::parse("10.0.0.0").has_value());
  EXPECT_FALSE(Ipv4Prefix::parse("10.0.0.0/").has_value());
}

TEST(Ipv4Prefix, ContainmentAndOverlap) {
  auto vnet = *Ipv4Prefix::parse("10.1.0.0/16");
  auto sub = *Ipv4Prefix::parse("10.1.1.0/24");
  auto vpc = *Ipv4Prefix::parse("10.2.0.0/16");
  auto all = *Ipv4Prefix::parse("0.0.0.0/0");
  EXPECT_TRUE(vnet.contains(sub));
  EXPECT_FALSE(sub.contains(vnet));
  EXPECT_TRUE(vnet.overlaps(sub));
  EXPECT_FALSE(vnet.overlaps(vpc));
  EXPECT_TRUE(all.contains(vpc));
  EXPECT_EQ(sub.last().to_string(), "10.1.1.255");
  EXPECT_EQ(all.size(), 1ull << 32);
}

}  // namespace
}  // namespace vpnlab
