#include "dataplane/core/fake_devices.hpp"

#include <gtest/gtest.h>

namespace vpnlab::dataplane {
namespace {

TEST(FakeDevices, SocketsDeliverByEndpointThroughTap) {
  FakeNetwork net;
  Endpoint a{Ipv4Address{0xc0000201}, 4500}, b{Ipv4Address{0xc0000202}, 4500};
  FakeSocket sa(net, a, true, 4), sb(net, b, true, 4);
  int seen = 0;
  net.set_tap([&](const Endpoint&, const Endpoint&, Bytes& payload) {
    ++seen;
    return payload.size() != 2;  // drop 2-byte datagrams
  });
  PacketPool pool(8, 256);
  PacketBatch out(8);
  for (std::size_t len : {1, 2, 3}) {
    auto p = pool.acquire();
    p->push_back(static_cast<std::uint32_t>(len));
    p->peer = b;
    out.push(std::move(p));
  }
  EXPECT_EQ(sa.write_batch(out).value(), 3u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(seen, 3);
  PacketBatch in(8);
  EXPECT_EQ(sb.read_batch(in, pool).value(), 2u);
  EXPECT_EQ(in[0].peer, a);
  EXPECT_EQ(in[1].size(), 3u);
}

TEST(FakeDevices, TunReadStopsAtBatchSizeAndPoolExhaustion) {
  FakeTun tun(2);
  for (int i = 0; i < 5; ++i) tun.inject(Bytes(20, static_cast<std::uint8_t>(i)));
  PacketPool pool(3, 256);
  PacketBatch b(8);
  EXPECT_EQ(tun.read_batch(b, pool).value(), 2u);
  EXPECT_EQ(tun.read_batch(b, pool).value(), 1u);  // pool has one left
  EXPECT_EQ(tun.pending(), 2u);
  EXPECT_EQ(tun.write_batch(b).value(), 3u);
  auto w = tun.take_written();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[2][0], 2);
}

}  // namespace
}  // namespace vpnlab::dataplane
