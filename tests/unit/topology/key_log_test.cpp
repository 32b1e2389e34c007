// KeyLog / KeyRecordingInstaller (topology/gateway/key_log.hpp): what the gateway's "keys"
// command returns for `vpnlab capture`. Every SA that reaches the dataplane is recorded with
// the packets' addresses for its direction; removed ones stay (not live) for captures that
// span a rekey or a drill, bounded in number; a failed install records nothing.
#include "topology/gateway/key_log.hpp"

#include <gtest/gtest.h>

#include "tests/unit/dataplane/recording_sa_installer.hpp"

namespace vpnlab::topology {
namespace {

using dataplane::SaDirection;

GatewayPlan one_tunnel_plan() {
  GatewayPlan plan;
  TunnelPlan t;
  t.device = "aws0t1";
  t.local_outside = *Ipv4Address::parse("198.51.100.10");
  t.remote_outside = *Ipv4Address::parse("203.0.113.10");
  plan.tunnels.push_back(t);
  return plan;
}

dataplane::SaConfig sa(std::uint32_t spi) {
  dataplane::SaConfig c;
  c.spi = esp::Spi{spi};
  c.suite = {esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha1_96};
  std::vector<std::uint8_t> k(32, static_cast<std::uint8_t>(spi));
  c.keys.encr_key = SecretBytes(std::span<const std::uint8_t>(k));
  c.keys.integ_key = SecretBytes(std::span<const std::uint8_t>(k).first(20));
  return c;
}

const EspSaKeys* find(const SaKeySet& s, std::uint32_t spi) {
  for (const auto& e : s.esp) {
    if (e.spi == spi) return &e;
  }
  return nullptr;
}

TEST(KeyLog, RecordsBothDirectionsWithTheirAddressesAndPairs) {
  dataplane::testing::RecordingSaInstaller engine;
  KeyLog log(one_tunnel_plan());
  KeyRecordingInstaller installer(engine, log);
  ASSERT_TRUE(installer.add_inbound("aws0t1", sa(0x1000)));
  ASSERT_TRUE(installer.add_outbound("aws0t1", sa(0x2000)));
  log.pair(esp::Spi{0x1000}, esp::Spi{0x2000});
  EXPECT_EQ(engine.calls.size(), 2u) << "forwarded to the real installer";

  auto s = log.snapshot();
  ASSERT_EQ(s.esp.size(), 2u);
  const EspSaKeys* in = find(s, 0x1000);
  const EspSaKeys* out = find(s, 0x2000);
  ASSERT_TRUE(in && out);
  EXPECT_EQ(in->src.to_string(), "203.0.113.10");  // the peer sends on our inbound SA
  EXPECT_EQ(in->dst.to_string(), "198.51.100.10");
  EXPECT_EQ(out->src.to_string(), "198.51.100.10");
  EXPECT_EQ(in->peer_spi, 0x2000u);
  EXPECT_EQ(out->peer_spi, 0x1000u);
  EXPECT_EQ(in->encr_key.size(), 32u);
  EXPECT_EQ(in->integ_key.size(), 20u);
  EXPECT_TRUE(in->live);
}

TEST(KeyLog, RemovedSasStayUntilTheBoundAndFailedInstallsAreNotRecorded) {
  dataplane::testing::RecordingSaInstaller engine;
  KeyLog log(one_tunnel_plan(), std::chrono::minutes(10), 2);
  KeyRecordingInstaller installer(engine, log);
  for (std::uint32_t spi = 0x1000; spi < 0x1004; ++spi) {
    ASSERT_TRUE(installer.add_inbound("aws0t1", sa(spi)));
  }
  ASSERT_TRUE(installer.remove("aws0t1", SaDirection::inbound, esp::Spi{0x1000}));
  auto s = log.snapshot();
  ASSERT_EQ(s.esp.size(), 4u);
  EXPECT_FALSE(find(s, 0x1000)->live) << "kept after removal, marked";
  EXPECT_TRUE(find(s, 0x1001)->live);

  for (std::uint32_t spi = 0x1001; spi < 0x1004; ++spi) {
    (void)installer.remove("aws0t1", SaDirection::inbound, esp::Spi{spi});
  }
  s = log.snapshot();
  ASSERT_EQ(s.esp.size(), 2u) << "at most 2 removed SAs kept: the newest";
  EXPECT_TRUE(find(s, 0x1002) && find(s, 0x1003));

  engine.fail_next_add(make_error_code(dataplane::errc::spi_in_use));
  EXPECT_FALSE(installer.add_outbound("aws0t1", sa(0x3000)));
  EXPECT_EQ(find(log.snapshot(), 0x3000), nullptr);
}

}  // namespace
}  // namespace vpnlab::topology
