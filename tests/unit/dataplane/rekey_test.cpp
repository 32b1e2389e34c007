// Make-before-break rekey (STYLE.md "SAs on the hot path"; RFC 7296 2.8): install the new
// inbound SAs, add and switch the new outbound SAs, remove the old ones. Traffic flows in
// both directions throughout, including packets in flight under the old SA, and none is lost.

#include <gtest/gtest.h>

#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::host_a_to_b;
using testing::host_b_to_a;

struct Traffic {
  std::vector<Bytes> ab, ba;
  std::uint8_t n = 0;
  void send(testing::TwoGateways& g, int count) {
    for (int i = 0; i < count; ++i, ++n) {
      ab.push_back(host_a_to_b(100 + n, n));
      ba.push_back(host_b_to_a(200 + n, n));
      g.a.tun.inject(ab.back());
      g.b.tun.inject(ba.back());
    }
  }
};

TEST(Rekey, MakeBeforeBreakLosesNothing) {
  testing::TwoGateways g;
  auto suite = testing::gcm256();
  g.install(0x1001, 0x2002, suite, true);
  // Hold datagrams in flight so some encrypted under the old SAs arrive after the switch.
  std::vector<std::tuple<Endpoint, Endpoint, Bytes>> held;
  bool holding = false;
  g.net.set_tap([&](const Endpoint& from, const Endpoint& to, Bytes& p) {
    if (!holding) return true;
    held.emplace_back(from, to, p);
    return false;
  });
  Traffic t;
  t.send(g, 5);
  g.pump();

  holding = true;
  t.send(g, 5);  // encrypted with 0x1001/0x2002, still on the wire
  g.pump();
  holding = false;
  // Step 1: both install the new inbound SAs.
  ASSERT_TRUE(g.b.dp.add_inbound("tB", g.sa(0x1003, suite, true, true)));
  ASSERT_TRUE(g.a.dp.add_inbound("tA", g.sa(0x2004, suite, false, true)));
  t.send(g, 3);
  g.pump();
  // Step 2: add and switch outbound.
  ASSERT_TRUE(g.a.dp.add_outbound("tA", g.sa(0x1003, suite, true, true)));
  ASSERT_TRUE(g.b.dp.add_outbound("tB", g.sa(0x2004, suite, false, true)));
  ASSERT_TRUE(g.a.dp.switch_outbound("tA", esp::Spi{0x1003}));
  ASSERT_TRUE(g.b.dp.switch_outbound("tB", esp::Spi{0x2004}));
  t.send(g, 5);
  g.pump();
  // The old-SA datagrams arrive late, after the switch but before the old SAs go.
  for (auto& [from, to, p] : held) g.net.deliver(from, to, p);
  g.pump();
  // Step 3: remove the old pair.
  ASSERT_TRUE(g.a.dp.remove("tA", SaDirection::outbound, esp::Spi{0x1001}));
  ASSERT_TRUE(g.b.dp.remove("tB", SaDirection::inbound, esp::Spi{0x1001}));
  ASSERT_TRUE(g.b.dp.remove("tB", SaDirection::outbound, esp::Spi{0x2002}));
  ASSERT_TRUE(g.a.dp.remove("tA", SaDirection::inbound, esp::Spi{0x2002}));
  t.send(g, 5);
  g.pump();
  g.a.dp.poll_control();
  g.b.dp.poll_control();

  auto got_b = g.b.tun.take_written();
  auto got_a = g.a.tun.take_written();
  EXPECT_EQ(got_b.size(), t.ab.size());
  EXPECT_EQ(got_a.size(), t.ba.size());
  auto sorted = [](std::vector<Bytes> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(got_b), sorted(t.ab));  // the held ones arrive late, so compare as sets
  EXPECT_EQ(sorted(got_a), sorted(t.ba));
  EXPECT_EQ(g.a.counters().rx.total_drops() + g.b.counters().rx.total_drops(), 0u);
  EXPECT_EQ(g.a.counters().tx.total_drops() + g.b.counters().tx.total_drops(), 0u);
  // 5 + 5 + 3 under the old SA, 5 + 5 under the new one.
  EXPECT_EQ(g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1003})->packets, 10u);
  EXPECT_FALSE(g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1001}));
  EXPECT_EQ(g.a.dp.table().retired_count(), 0u);
}

}  // namespace
}  // namespace vpnlab::dataplane
