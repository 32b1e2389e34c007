// Each drop reason of the pipeline, provoked once and counted exactly once.

#include <gtest/gtest.h>

#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::host_a_to_b;
using testing::ip;

TEST(PipelineDrops, NoOutboundSa) {
  testing::TwoGateways g;
  g.a.tun.inject(host_a_to_b(10));
  g.a.tun.inject(host_a_to_b(20));
  g.pump();
  EXPECT_EQ(g.a.counters().tx.dropped(DpDrop::no_outbound_sa), 2u);
  EXPECT_EQ(g.a.counters().tx.total_drops(), 2u);
}

TEST(PipelineDrops, AddedButNotSwitchedOutboundIsNotUsed) {
  testing::TwoGateways g;
  ASSERT_TRUE(g.a.dp.add_outbound("tA", g.sa(0x1001, testing::gcm256(), true, true)));
  g.a.tun.inject(host_a_to_b(10));
  g.pump();
  EXPECT_EQ(g.a.counters().tx.dropped(DpDrop::no_outbound_sa), 1u);
}

TEST(PipelineDrops, NotIp) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  g.a.tun.inject(Bytes(30, 0x00));  // version 0
  g.pump();
  EXPECT_EQ(g.a.counters().tx.dropped(DpDrop::not_ip), 1u);
}

TEST(PipelineDrops, TooShortAndUnknownSpi) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  Endpoint from{ip("192.0.2.1"), 4500};
  g.b.udp.receive(from, Bytes{0, 0, 0x10, 0x01, 0, 0, 0});           // 7 bytes
  g.b.udp.receive(from, Bytes{0, 0, 0x77, 0x77, 0, 0, 0, 1, 9, 9});  // SPI 0x7777
  g.pump();
  const auto& rx = g.b.dp.global_counters().rx;
  EXPECT_EQ(rx.dropped(DpDrop::too_short), 1u);
  EXPECT_EQ(rx.dropped(DpDrop::unknown_spi), 1u);
  EXPECT_EQ(rx.total_drops(), 2u);
}

TEST(PipelineDrops, ReplayedDatagramIsDroppedOnce) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  std::vector<std::pair<Endpoint, Bytes>> seen;
  g.net.set_tap([&](const Endpoint& from, const Endpoint&, Bytes& p) {
    seen.emplace_back(from, p);
    return true;
  });
  g.a.tun.inject(host_a_to_b(50));
  g.pump();
  ASSERT_EQ(seen.size(), 1u);
  g.b.udp.receive(seen[0].first, seen[0].second);  // an attacker replays it
  g.pump();
  EXPECT_EQ(g.b.tun.take_written().size(), 1u);
  EXPECT_EQ(g.b.counters().rx.dropped(esp::DropReason::replay), 1u);
  EXPECT_EQ(g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1001})->replay_drops, 1u);
}

TEST(PipelineDrops, CorruptedDatagramFailsAuthentication) {
  for (auto suite : {testing::gcm256(), testing::cbc256_sha256()}) {
    SCOPED_TRACE(esp::suite_name(suite));
    testing::TwoGateways g;
    g.install(0x1001, 0x2002, suite, true);
    g.net.set_tap([](const Endpoint&, const Endpoint&, Bytes& p) {
      p[p.size() / 2] ^= 0x01;
      return true;
    });
    g.a.tun.inject(host_a_to_b(200));
    g.pump();
    EXPECT_TRUE(g.b.tun.take_written().empty());
    EXPECT_EQ(g.b.counters().rx.dropped(esp::DropReason::auth_failed), 1u);
    EXPECT_EQ(g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1001})->auth_failures, 1u);
  }
}

TEST(PipelineDrops, HardPacketLifetimeDropsAndIsReported) {
  testing::TwoGateways g;
  auto in = g.sa(0x1001, testing::gcm256(), true, true);
  auto out = g.sa(0x1001, testing::gcm256(), true, true);
  out.limits.soft_packets = 2;
  out.limits.hard_packets = 3;
  ASSERT_TRUE(g.b.dp.add_inbound("tB", std::move(in)));
  ASSERT_TRUE(g.a.dp.add_outbound("tA", std::move(out)));
  ASSERT_TRUE(g.a.dp.switch_outbound("tA", esp::Spi{0x1001}));
  std::vector<std::pair<esp::Spi, LifetimeEvent>> events;
  g.a.dp.on_lifetime([&](SaDirection dir, esp::Spi spi, LifetimeEvent ev) {
    EXPECT_EQ(dir, SaDirection::outbound);
    events.emplace_back(spi, ev);
  });
  for (int i = 0; i < 5; ++i) g.a.tun.inject(host_a_to_b(10));
  g.pump();
  EXPECT_TRUE(events.empty());  // delivered on the control thread only
  g.a.dp.poll_control();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].second, LifetimeEvent::soft_expired);
  EXPECT_EQ(events[1].second, LifetimeEvent::hard_expired);
  EXPECT_EQ(g.a.counters().tx.dropped(esp::DropReason::lifetime_expired), 2u);
  EXPECT_EQ(g.b.tun.take_written().size(), 3u);
}

}  // namespace
}  // namespace vpnlab::dataplane
