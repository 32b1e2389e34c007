// Outbound and inbound pipelines end to end: two gateways over fake devices, real ESP.

#include <gtest/gtest.h>

#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::host_a_to_b;
using testing::host_b_to_a;

struct PathCase {
  const char* name;
  esp::SuiteId suite;
  bool udp;
};

class Pipeline : public ::testing::TestWithParam<PathCase> {};

TEST_P(Pipeline, CarriesPacketsBothWaysUnchanged) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, GetParam().suite, GetParam().udp);
  std::vector<Bytes> ab, ba;
  for (std::size_t i = 0; i < 20; ++i) {  // more than one batch, sizes across pad boundaries
    ab.push_back(host_a_to_b(i * 67 % 1400, static_cast<std::uint8_t>(i)));
    ba.push_back(host_b_to_a(i * 31 % 1400 + 1, static_cast<std::uint8_t>(i)));
    g.a.tun.inject(ab.back());
    g.b.tun.inject(ba.back());
  }
  std::size_t wire = 0;
  bool saw_plain = false;
  g.net.set_tap([&](const Endpoint& from, const Endpoint& to, Bytes& payload) {
    ++wire;
    EXPECT_EQ(to.port, GetParam().udp ? 4500 : 0);
    EXPECT_EQ(from.port, GetParam().udp ? 4500 : 0);
    // The inner packet never shows on the wire (the fill byte pattern is encrypted).
    // A run of 12 rising bytes is the fill pattern; by chance in ciphertext p = 2^-88.
    if (payload.size() > 48) {
      bool rising = true;
      for (std::size_t k = 30; k < 42 && rising; ++k) {
        rising = payload[k] == static_cast<std::uint8_t>(payload[k - 1] + 1);
      }
      saw_plain = saw_plain || rising;
    }
    return true;
  });
  g.pump();
  EXPECT_EQ(g.b.tun.take_written(), ab);
  EXPECT_EQ(g.a.tun.take_written(), ba);
  EXPECT_EQ(wire, 40u);
  EXPECT_FALSE(saw_plain);

  auto out_a = g.a.dp.counters(SaDirection::outbound, esp::Spi{0x1001});
  auto in_b = g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1001});
  ASSERT_TRUE(out_a && in_b);
  EXPECT_EQ(out_a->packets, 20u);
  EXPECT_EQ(in_b->packets, 20u);
  std::uint64_t bytes = 0;
  for (auto& p : ab) bytes += p.size();
  EXPECT_EQ(in_b->bytes, bytes);
  EXPECT_EQ(g.a.counters().tx.packets.get(), 20u);
  EXPECT_EQ(g.b.counters().rx.packets.get(), 20u);
  EXPECT_EQ(g.a.counters().tx.total_drops() + g.b.counters().rx.total_drops(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    SuitesAndEncaps, Pipeline,
    ::testing::Values(PathCase{"gcm_udp", testing::gcm256(), true},
                      PathCase{"gcm_raw", testing::gcm256(), false},
                      PathCase{"cbc_sha256_udp", testing::cbc256_sha256(), true},
                      PathCase{"cbc_sha256_raw", testing::cbc256_sha256(), false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Pipeline, ClampsMssOfSynsCrossingTheTunnel) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  Bytes syn = testing::tcp4_packet(testing::ip("10.1.0.2"), testing::ip("10.2.0.2"), 0x02,
                                   Bytes{2, 4, 0x05, 0xb4});  // MSS 1460
  g.a.tun.inject(syn);
  g.pump();
  auto got = g.b.tun.take_written();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(load_be16(&got[0][42]), 1398);  // the tunnel's MSS (GCM + NAT-T, cloud-facts)
  EXPECT_EQ(testing::l4_checksum(got[0]), 0);
  EXPECT_EQ(g.a.counters().mss_clamped.get(), 1u);
}

TEST(Pipeline, RemovedSaStopsTraffic) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  ASSERT_TRUE(g.b.dp.remove("tB", SaDirection::inbound, esp::Spi{0x1001}));
  g.a.tun.inject(host_a_to_b(100));
  g.pump();
  EXPECT_TRUE(g.b.tun.take_written().empty());
  EXPECT_EQ(g.b.dp.global_counters().rx.dropped(DpDrop::unknown_spi), 1u);
  EXPECT_FALSE(g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1001}));
}

}  // namespace
}  // namespace vpnlab::dataplane
