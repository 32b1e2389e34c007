#include "base/result.hpp"

#include <gtest/gtest.h>

#include "base/errors.hpp"

namespace vpnlab {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Unexpected{make_error_code(errc::invalid_value)};
  return v;
}

TEST(Result, HoldsValueOrError) {
  auto ok = parse_positive(3);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), errc::invalid_value);
  EXPECT_STREQ(bad.error().category().name(), "vpnlab.base");
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, CheckedCarriesMessage) {
  Checked<int> r = fail(errc::truncated, "field X at offset 4");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "field X at offset 4");
  Result<void> v;
  EXPECT_TRUE(v);
  Result<void> e = Unexpected{make_error_code(errc::io_error)};
  EXPECT_FALSE(e);
}

}  // namespace
}  // namespace vpnlab
