#include <gtest/gtest.h>

#include "ike/core/config.hpp"

namespace vpnlab::ike {
namespace {

using std::chrono::milliseconds;

TEST(PeerConfig, RekeyedInboundGraceScalesButNotBelowOneSecond) {
  PeerConfig c;  // strongSwan's delete_rekeyed_delay: 5 s
  EXPECT_EQ(c.rekeyed_inbound_grace(), milliseconds(5000));
  c.time_factor = 0.5;
  EXPECT_EQ(c.rekeyed_inbound_grace(), milliseconds(2500));
  c.time_factor = 1.0 / 225;  // the soak's factor: 22 ms scaled, held at 1 s
  EXPECT_EQ(c.rekeyed_inbound_grace(), milliseconds(1000));
  c.timers.rekeyed_inbound_grace = std::chrono::seconds(0);  // configured off stays off
  EXPECT_EQ(c.rekeyed_inbound_grace(), milliseconds(0));
  c.time_factor = 10;  // a slower lab waits longer, as every other timer does
  c.timers.rekeyed_inbound_grace = std::chrono::seconds(5);
  EXPECT_EQ(c.rekeyed_inbound_grace(), milliseconds(50000));
}

}  // namespace
}  // namespace vpnlab::ike
