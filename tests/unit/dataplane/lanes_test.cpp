// Several worker lanes per gateway (what the Linux Engine runs, one per core): each lane has
// its own TUN queue and its own socket bound to the shared endpoint, and the fake network
// hands datagrams to the sockets in turn, so one SA's packets are decapsulated by both
// lanes. Checked: every packet arrives once, sequence numbers on the wire never repeat,
// replays are dropped whichever lane sees them (RFC 4303 3.4.3). The threaded case runs the
// lanes on real threads; it is clean under ThreadSanitizer (a build with
// CMAKE_CXX_FLAGS=-fsanitize=thread, see bench/dataplane/README.md).

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::ip;

constexpr std::size_t kLanes = 2;

Dataplane::Options lane_options() {
  Dataplane::Options o;
  o.lanes = kLanes;
  return o;
}

struct LaneGateway {
  LaneGateway(FakeNetwork& net, Ipv4Address outer, const char* name) : dp(lane_options()) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      tuns.push_back(std::make_unique<FakeTun>(8));
      udp.push_back(std::make_unique<FakeSocket>(net, Endpoint{outer, 4500}, true));
    }
    tunnel = dp.add_tunnel(name, *tuns[0], 1398);
    for (std::size_t l = 0; l < kLanes; ++l) {
      if (l > 0) dp.add_tunnel_queue(tunnel, *tuns[l]);
      dp.add_socket(*udp[l], udp[l]->local(), SocketRole::esp_udp, l);
    }
    for (std::size_t l = 0; l < kLanes; ++l) {
      out.push_back(std::make_unique<OutboundWorker>(dp, std::vector<TunnelId>{tunnel},
                                                     WorkerBuffers{64, 2048, 8}, l));
      in.push_back(std::make_unique<InboundWorker>(dp, WorkerBuffers{64, 2048, 8}, l));
    }
  }
  std::size_t step(std::size_t lane) { return out[lane]->run_once() + in[lane]->run_once(); }
  std::vector<Bytes> written() {
    std::vector<Bytes> all;
    for (auto& t : tuns) {
      auto w = t->take_written();
      all.insert(all.end(), w.begin(), w.end());
    }
    return all;
  }
  const TunnelCounters& counters() const { return dp.tunnel(tunnel).counters; }

  Dataplane dp;
  std::vector<std::unique_ptr<FakeTun>> tuns;
  std::vector<std::unique_ptr<FakeSocket>> udp;
  TunnelId tunnel;
  std::vector<std::unique_ptr<OutboundWorker>> out;
  std::vector<std::unique_ptr<InboundWorker>> in;
};

struct Wire {
  Endpoint from, to;
  Bytes payload;
};

struct LanePair {
  LanePair() : a(net, ip("192.0.2.1"), "tA"), b(net, ip("192.0.2.2"), "tB") {
    auto sa = [](std::uint32_t spi, bool from_a) {
      SaConfig c;
      c.spi = esp::Spi{spi};
      c.suite = testing::gcm256();
      c.keys = testing::test_keys(c.suite, static_cast<std::uint8_t>(spi));
      c.outer.local = from_a ? ip("192.0.2.1") : ip("192.0.2.2");
      c.outer.remote = from_a ? ip("192.0.2.2") : ip("192.0.2.1");
      c.outer.udp_encap = true;
      return c;
    };
    EXPECT_TRUE(b.dp.add_inbound("tB", sa(0x1001, true)));
    EXPECT_TRUE(a.dp.add_outbound("tA", sa(0x1001, true)));
    EXPECT_TRUE(a.dp.switch_outbound("tA", esp::Spi{0x1001}));
    net.set_tap([this](const Endpoint& from, const Endpoint& to, Bytes& p) {
      wire.push_back(Wire{from, to, p});  // under the network's lock
      return true;
    });
  }
  /// Host A sends n packets, spread over A's TUN queues (as the kernel spreads flows).
  std::vector<Bytes> inject(std::size_t n, std::size_t first = 0) {
    std::vector<Bytes> sent;
    for (std::size_t i = first; i < first + n; ++i) {
      sent.push_back(testing::host_a_to_b(40 + i % 900, static_cast<std::uint8_t>(i)));
      a.tuns[i % kLanes]->inject(sent.back());
    }
    return sent;
  }
  std::set<std::uint32_t> wire_seqs() const {
    std::set<std::uint32_t> s;
    for (const auto& w : wire) s.insert(load_be32(w.payload.data() + 4));
    return s;
  }

  FakeNetwork net;
  LaneGateway a, b;
  std::vector<Wire> wire;
};

std::multiset<Bytes> as_set(const std::vector<Bytes>& v) {
  return std::multiset<Bytes>(v.begin(), v.end());
}

TEST(DataplaneLanes, EveryLaneCarriesPacketsWithDistinctSequenceNumbers) {
  LanePair g;
  auto sent = g.inject(50);
  for (int i = 0; i < 100; ++i) {
    std::size_t moved = 0;
    for (std::size_t l = 0; l < kLanes; ++l) moved += g.a.step(l) + g.b.step(l);
    if (moved == 0) break;
  }
  EXPECT_EQ(as_set(g.b.written()), as_set(sent));
  ASSERT_EQ(g.wire.size(), 50u);
  EXPECT_EQ(g.wire_seqs().size(), 50u);  // RFC 4106 3.1: the IV (= number) never repeats
  // Both lanes encrypted and both lanes decrypted (the network alternates sockets).
  for (const auto& t : g.a.tuns) EXPECT_EQ(t->pending(), 0u);
  EXPECT_EQ(g.b.counters().rx.packets.get(), 50u);
  auto in = g.b.dp.counters(SaDirection::inbound, esp::Spi{0x1001});
  ASSERT_TRUE(in);
  EXPECT_EQ(in->packets, 50u);
  EXPECT_EQ(in->replay_drops, 0u);
}

TEST(DataplaneLanes, AReplayIsDroppedByWhicheverLaneGetsIt) {
  LanePair g;
  g.inject(6);
  for (int i = 0; i < 20; ++i) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      g.a.step(l);
      g.b.step(l);
    }
  }
  ASSERT_EQ(g.b.written().size(), 6u);
  auto old = g.wire;
  for (const auto& w : old) {
    g.net.deliver(w.from, w.to, w.payload);  // lands on lane 0, 1, 0, ...
    g.net.deliver(w.from, w.to, w.payload);  // and on the other lane
  }
  for (int i = 0; i < 20; ++i) {
    for (std::size_t l = 0; l < kLanes; ++l) g.b.step(l);
  }
  EXPECT_TRUE(g.b.written().empty());
  EXPECT_EQ(g.b.counters().rx.dropped(esp::DropReason::replay), 12u);
}

// Both gateways' lanes on their own threads: host A's packets are encrypted by two threads
// sharing one outbound SA and decrypted by two threads sharing one inbound SA and its
// window, while the test thread replays everything already on the wire.
TEST(DataplaneLanes, ThreadedLanesDeliverEachPacketOnceAndDropEveryReplay) {
  LanePair g;
  std::atomic<bool> stop{false};
  // One thread per lane, stepping that lane of both gateways: the two lanes share A's
  // outbound SA and B's inbound SA concurrently. Idle threads yield (the test machine may
  // have fewer cores than threads).
  std::vector<std::thread> threads;
  for (std::size_t l = 0; l < kLanes; ++l) {
    threads.emplace_back([&, l] {
      while (!stop.load()) {
        if (g.a.step(l) + g.b.step(l) == 0) std::this_thread::yield();
      }
    });
  }
  constexpr std::size_t kN = 1000;
  std::vector<Bytes> got;
  auto sent = g.inject(kN);
  for (long spins = 0; got.size() < kN && spins < 2'000'000; ++spins) {
    auto w = g.b.written();
    got.insert(got.end(), w.begin(), w.end());
    if (w.empty()) std::this_thread::yield();
  }
  std::vector<Wire> old;
  g.net.set_tap([&](const Endpoint&, const Endpoint&, Bytes&) { return true; });
  old.swap(g.wire);  // the tap no longer writes it
  for (const auto& w : old) g.net.deliver(w.from, w.to, w.payload);
  const auto& rx = g.b.counters().rx;
  for (long spins = 0; rx.dropped(esp::DropReason::replay) < kN && spins < 2'000'000; ++spins) {
    std::this_thread::yield();
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(as_set(got), as_set(sent));
  EXPECT_TRUE(g.b.written().empty());
  ASSERT_EQ(old.size(), kN);
  std::set<std::uint32_t> seqs;
  for (const auto& w : old) seqs.insert(load_be32(w.payload.data() + 4));
  EXPECT_EQ(seqs.size(), kN);
  EXPECT_EQ(rx.dropped(esp::DropReason::replay), kN);
  EXPECT_EQ(rx.packets.get(), kN);
  EXPECT_EQ(g.a.counters().tx.packets.get(), kN);
}

}  // namespace
}  // namespace vpnlab::dataplane
