// RFC 3948 2.2/2.3 on the shared port 4500: IKE behind the non-ESP marker goes to the control
// queue, NAT-keepalives are consumed, ESP goes on; port 500 carries IKE only.

#include <gtest/gtest.h>

#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::ip;

TEST(IkeSplit, MarkerStrippedAndQueuedEspStillFlows) {
  testing::TwoGateways g;
  g.install(0x1001, 0x2002, testing::gcm256(), true);
  Endpoint peer{ip("192.0.2.1"), 4500};
  Bytes ike_msg{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
  Bytes framed{0, 0, 0, 0};
  framed.insert(framed.end(), ike_msg.begin(), ike_msg.end());
  g.b.udp.receive(peer, framed);
  g.b.udp.receive(peer, Bytes{0xff});  // NAT-keepalive
  g.a.tun.inject(testing::host_a_to_b(64));
  g.pump();
  auto ike = g.b.dp.ike_queue().drain();
  ASSERT_EQ(ike.size(), 1u);
  EXPECT_EQ(ike[0].payload, ike_msg);
  EXPECT_EQ(ike[0].remote, peer);
  EXPECT_EQ(ike[0].local, (Endpoint{ip("192.0.2.2"), 4500}));
  EXPECT_EQ(g.b.dp.global_counters().keepalives.get(), 1u);
  EXPECT_EQ(g.b.dp.global_counters().ike_received.get(), 1u);
  EXPECT_EQ(g.b.tun.take_written().size(), 1u);
  EXPECT_EQ(g.b.dp.global_counters().rx.total_drops(), 0u);
}

TEST(IkeSplit, Port500IsAllIke) {
  testing::TwoGateways g;
  Endpoint peer{ip("192.0.2.1"), 500};
  g.b.ike.receive(peer, Bytes{1, 2, 3});
  g.pump();
  auto ike = g.b.dp.ike_queue().drain();
  ASSERT_EQ(ike.size(), 1u);
  EXPECT_EQ(ike[0].payload, (Bytes{1, 2, 3}));
  EXPECT_EQ(ike[0].local.port, 500);
}

TEST(IkeSplit, FullQueueDropsAndCounts) {
  FakeNetwork net;
  Dataplane::Options opts;
  opts.control_queue_capacity = 2;
  Dataplane dp(opts);
  FakeTun tun;
  FakeSocket udp(net, Endpoint{ip("192.0.2.2"), 4500}, true);
  dp.add_socket(udp, udp.local(), SocketRole::esp_udp);
  dp.add_tunnel("t", tun, 0);
  InboundWorker in(dp, WorkerBuffers{16, 2048, 8});
  for (int i = 0; i < 5; ++i) udp.receive(Endpoint{ip("192.0.2.1"), 4500}, Bytes{0, 0, 0, 0, 7});
  while (in.run_once() > 0) {
  }
  EXPECT_EQ(dp.ike_queue().drain().size(), 2u);
  EXPECT_EQ(dp.global_counters().rx.dropped(DpDrop::ike_queue_full), 3u);
  EXPECT_EQ(dp.ike_queue().dropped(), 3u);
}

TEST(IkeSplit, SendIkeAddsMarkerOn4500Only) {
  testing::TwoGateways g;
  std::vector<std::pair<Endpoint, Bytes>> wire;
  g.net.set_tap([&](const Endpoint&, const Endpoint& to, Bytes& p) {
    wire.emplace_back(to, p);
    return true;
  });
  Bytes msg{9, 8, 7, 6, 5};
  ASSERT_TRUE(
      g.a.dp.send_ike(Endpoint{ip("192.0.2.1"), 4500}, Endpoint{ip("192.0.2.2"), 4500}, msg));
  ASSERT_TRUE(g.a.dp.send_ike(Endpoint{ip("192.0.2.1"), 500}, Endpoint{ip("192.0.2.2"), 500}, msg));
  EXPECT_FALSE(
      g.a.dp.send_ike(Endpoint{ip("192.0.2.9"), 500}, Endpoint{ip("192.0.2.2"), 500}, msg));
  ASSERT_EQ(wire.size(), 2u);
  EXPECT_EQ(wire[0].second, (Bytes{0, 0, 0, 0, 9, 8, 7, 6, 5}));
  EXPECT_EQ(wire[1].second, msg);
  g.pump();  // and the peer's dataplane hands both to its control queue, marker removed
  auto got = g.b.dp.ike_queue().drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, msg);
  EXPECT_EQ(got[1].payload, msg);
}

TEST(IkeSplit, NatKeepaliveIsOneFfOctetFromTheUdpSocketOnly) {
  testing::TwoGateways g;
  std::vector<std::pair<Endpoint, Bytes>> wire;
  g.net.set_tap([&](const Endpoint&, const Endpoint& to, Bytes& p) {
    wire.emplace_back(to, p);
    return true;
  });
  ASSERT_TRUE(
      g.a.dp.send_nat_keepalive(Endpoint{ip("192.0.2.1"), 4500}, Endpoint{ip("192.0.2.2"), 4500}));
  // Not from the IKE socket on 500 (RFC 3948 2.3: keepalives ride the ESP-in-UDP port).
  EXPECT_FALSE(
      g.a.dp.send_nat_keepalive(Endpoint{ip("192.0.2.1"), 500}, Endpoint{ip("192.0.2.2"), 500}));
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0].first, (Endpoint{ip("192.0.2.2"), 4500}));
  EXPECT_EQ(wire[0].second, (Bytes{0xff}));
  g.pump();  // the peer drops it silently: not IKE, not ESP
  EXPECT_TRUE(g.b.dp.ike_queue().drain().empty());
}

}  // namespace
}  // namespace vpnlab::dataplane
