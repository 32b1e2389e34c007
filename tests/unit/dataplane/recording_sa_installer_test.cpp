#include "recording_sa_installer.hpp"

#include <gtest/gtest.h>

namespace vpnlab::dataplane::testing {
namespace {

TEST(RecordingSaInstaller, RecordsCallsAndTracksInstalledSas) {
  RecordingSaInstaller fake;
  auto spi = fake.reserve_spi();
  ASSERT_TRUE(spi);
  SaConfig in;
  in.spi = *spi;
  ASSERT_TRUE(fake.add_inbound("t1", in));
  EXPECT_FALSE(fake.add_inbound("t1", in));  // same SPI twice
  EXPECT_FALSE(fake.switch_outbound("t1", esp::Spi{7}));
  SaConfig out;
  out.spi = esp::Spi{7};
  ASSERT_TRUE(fake.add_outbound("t1", out));
  ASSERT_TRUE(fake.switch_outbound("t1", esp::Spi{7}));
  EXPECT_EQ(fake.active.at("t1"), esp::Spi{7});
  ASSERT_TRUE(fake.remove("t1", SaDirection::inbound, *spi));
  EXPECT_FALSE(fake.has(SaDirection::inbound, *spi));
  EXPECT_EQ(fake.calls.size(), 7u);
  EXPECT_EQ(fake.calls[1].call, RecordingSaInstaller::Call::add_inbound);
  fake.fail_next_add(make_error_code(errc::no_socket));
  out.spi = esp::Spi{8};
  EXPECT_EQ(fake.add_outbound("t1", out).error(), make_error_code(errc::no_socket));
}

}  // namespace
}  // namespace vpnlab::dataplane::testing
