// The policer that emulates the clouds' throughput limits (rate_policer.hpp): GCRA over a
// bit rate and a packet rate at once, on a clock the test drives; shared by lanes; and in the
// pipeline, where what exceeds a tunnel's limit is dropped as rate_limited, counted once.

#include "dataplane/core/rate_policer.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// Offers `size`-byte packets every `gap_ns` for one simulated second; returns those admitted.
std::uint64_t admitted_in_a_second(RatePolicer& p, std::uint32_t size, std::int64_t gap_ns) {
  std::uint64_t n = 0;
  for (std::int64_t t = 0; t < kSecond; t += gap_ns) n += p.admit(size, t) ? 1 : 0;
  return n;
}

TEST(RatePolicer, OffIsTransparent) {
  RatePolicer p;
  EXPECT_FALSE(p.enabled());
  EXPECT_EQ(admitted_in_a_second(p, 1400, 1000), 1'000'000u);
}

TEST(RatePolicer, LargePacketsAreHeldToTheBitRate) {
  RatePolicer p;
  p.set({1.25e9, 140000});  // AWS, per tunnel (cloud-facts 1.3)
  // 1400-byte packets offered at 2.8 Gbps: 1.25 Gbps is 111,607 of them per second.
  auto n = admitted_in_a_second(p, 1400, 4000);
  EXPECT_NEAR(static_cast<double>(n), 1.25e9 / (1400 * 8), 1.25e9 / (1400 * 8) * 0.01);
}

TEST(RatePolicer, SmallPacketsAreHeldToThePacketRate) {
  RatePolicer p;
  p.set({1.25e9, 140000});
  auto n = admitted_in_a_second(p, 64, 1000);  // 1 Mpps of 64-byte packets offered
  EXPECT_NEAR(static_cast<double>(n), 140000, 1400);
}

TEST(RatePolicer, UnderTheLimitNothingIsDropped) {
  RatePolicer p;
  p.set({1.25e9, 140000});
  EXPECT_EQ(admitted_in_a_second(p, 1400, 10000), 100'000u);  // 1.12 Gbps, 100 kpps
}

TEST(RatePolicer, ABurstIsAllowedOnlyUpToItsDepth) {
  RatePolicer p;
  p.set({0, 1000}, std::chrono::milliseconds(5));  // 1 ms per packet, 5 ms of burst
  int at_once = 0;
  while (p.admit(100, 0)) ++at_once;
  EXPECT_EQ(at_once, 6);  // TAT may run 5 ms ahead: packets at 0, 1, ..., 5 ms
  EXPECT_FALSE(p.admit(100, 0));
  EXPECT_TRUE(p.admit(100, 2'000'000));  // 2 ms later there is room again
}

TEST(RatePolicer, LanesShareOneLimit) {
  RatePolicer p;
  p.set({0, 100000});
  // Two lanes offering 1 Mpps each over the same simulated second admit 100,000 together.
  std::atomic<std::uint64_t> total{0};
  std::vector<std::thread> lanes;
  for (int l = 0; l < 2; ++l) {
    lanes.emplace_back([&] { total += admitted_in_a_second(p, 64, 1000); });
  }
  for (auto& t : lanes) t.join();
  EXPECT_LE(total.load(), 100000u + 1000u);  // the burst (5 ms = 500 packets) at most
  EXPECT_GE(total.load(), 99000u);
}

TEST(PipelineDrops, OverTheTunnelsLimitIsRateLimited) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  // 1 packet per second, no burst beyond one packet: of 5 sent at once 1 passes.
  g.a.dp.tunnel(g.a.tunnel).tx_limit.set({0, 1}, std::chrono::nanoseconds(0));
  for (int i = 0; i < 5; ++i) g.a.tun.inject(testing::host_a_to_b(100));
  g.pump();
  EXPECT_EQ(g.b.tun.take_written().size(), 1u);
  EXPECT_EQ(g.a.counters().tx.dropped(DpDrop::rate_limited), 4u);
  EXPECT_EQ(g.a.counters().tx.total_drops(), 4u);
}

TEST(PipelineDrops, OverTheReceiversAggregateIsRateLimited) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  g.b.dp.aggregate_rx_limit().set({0, 1}, std::chrono::nanoseconds(0));
  for (int i = 0; i < 3; ++i) g.a.tun.inject(testing::host_a_to_b(100));
  g.pump();
  EXPECT_EQ(g.b.tun.take_written().size(), 1u);
  EXPECT_EQ(g.b.counters().rx.dropped(DpDrop::rate_limited), 2u);
}

}  // namespace
}  // namespace vpnlab::dataplane
