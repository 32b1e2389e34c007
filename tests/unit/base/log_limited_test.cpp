#include "base/log_limited.hpp"

#include <gtest/gtest.h>

namespace vpnlab::log {
namespace {

using namespace std::chrono_literals;
using Clock = ReasonRateLimit::Clock;

TEST(ReasonRateLimit, OneEventPerPeriodPerReasonWithTheSuppressedCount) {
  ReasonRateLimit limit(1000ms);
  Clock::time_point t0{};
  std::uint64_t suppressed = 99;
  ASSERT_TRUE(limit.allow("esp.rx.drop.auth_failed", t0, suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 500; ++i)
    EXPECT_FALSE(limit.allow("esp.rx.drop.auth_failed", t0 + 999ms, suppressed));
  // Another reason has its own budget.
  EXPECT_TRUE(limit.allow("ike.rx.invalid_syntax", t0 + 10ms, suppressed));
  EXPECT_EQ(suppressed, 0u);
  ASSERT_TRUE(limit.allow("esp.rx.drop.auth_failed", t0 + 1000ms, suppressed));
  EXPECT_EQ(suppressed, 500u);
  // The period restarts at the event that passed, not on a fixed grid.
  EXPECT_FALSE(limit.allow("esp.rx.drop.auth_failed", t0 + 1999ms, suppressed));
  ASSERT_TRUE(limit.allow("esp.rx.drop.auth_failed", t0 + 2000ms, suppressed));
  EXPECT_EQ(suppressed, 1u);
}

}  // namespace
}  // namespace vpnlab::log
