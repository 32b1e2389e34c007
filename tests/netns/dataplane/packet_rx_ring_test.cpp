// The af_packet transport's receive rings (dataplane/linux/packet_rx_ring.hpp: TPACKET_V3,
// packet_rx_ring_v2.hpp: TPACKET_V2) on a real packet socket: frames sent on the loopback
// device of a namespace the test creates (rv-<pid>-ring-*), with an ethertype of the IEEE's
// local experimental range so that nothing else in the namespace is received. Each case
// runs on both rings (typed tests):
//
//   DeliversEveryFrameInOrder    200 frames of different sizes come out once each, in order,
//                                with their bytes (SOCK_DGRAM: from the network header on);
//   StopsAtMaxAndWhereToldTo     read(max) takes at most max; a callback returning false
//                                leaves that frame for the next read;
//   WrapsAroundTheRing           4 rounds of as many frames as the ring holds: every slot
//                                (V2) or block (V3) goes back to the kernel and is reused;
//   MarksFramesLargerThanASlot   a frame larger than a V2 slot / a V3 block comes out
//                                truncated (the transport counts it malformed), the next one
//                                whole.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netns.hpp"
#include "dataplane/linux/packet_rx_ring.hpp"
#include "dataplane/linux/packet_rx_ring_v2.hpp"
#include "topology.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr std::uint16_t kEtherType = 0x88b5;  // IEEE 802 local experimental ethertype 1

// The smallest geometry each ring allows, so the wrap-around case is quick; `slot` is the
// largest frame that fits (payload plus the ring's headers).
template <typename Ring>
typename Ring::Geometry small_geometry();
template <>
PacketRxRing::Geometry small_geometry<PacketRxRing>() {
  return {4096, 4, 2048, 1};  // 4 blocks of 4 KiB: a frame above ~4000 bytes is cut
}
template <>
PacketRxRingV2::Geometry small_geometry<PacketRxRingV2>() {
  return {4096, 4, 2048};  // 8 slots of 2 KiB: a frame above ~1950 bytes is cut
}
// Frames of this size fill the ring: at least as many as it has slots (V2) or blocks (V3).
template <typename Ring>
std::size_t ring_frames() {
  return std::is_same_v<Ring, PacketRxRingV2> ? 8 : 4 * 3;
}

// A frame: 4 bytes of sequence number, then `size - 4` bytes of a pattern of it.
std::vector<std::uint8_t> frame(std::uint32_t seq, std::size_t size) {
  std::vector<std::uint8_t> b(size);
  for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>(seq * 7 + i);
  b[0] = static_cast<std::uint8_t>(seq >> 24);
  b[1] = static_cast<std::uint8_t>(seq >> 16);
  b[2] = static_cast<std::uint8_t>(seq >> 8);
  b[3] = static_cast<std::uint8_t>(seq);
  return b;
}

std::uint32_t seq_of(std::span<const std::uint8_t> b) {
  return b.size() < 4 ? ~0u : (std::uint32_t{b[0]} << 24 | b[1] << 16 | b[2] << 8 | b[3]);
}

struct Got {
  std::vector<std::uint8_t> bytes;
  bool truncated;
};

template <typename Ring>
class PacketRxRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string ns = s_.ns("n");
    ASSERT_TRUE(create_netns(ns));
    s_.adopt(ns);
    auto nl = Netlink::open_in(ns);
    ASSERT_TRUE(nl);
    ASSERT_TRUE(nl->set_up("lo"));
    auto scope = NetnsScope::enter(ns);
    ASSERT_TRUE(scope) << scope.error().message;
    scope_.emplace(std::move(*scope));
    lo_ = static_cast<int>(::if_nametoindex("lo"));
    ASSERT_GT(lo_, 0);
    rx_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    tx_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(rx_, 0);
    ASSERT_GE(tx_, 0);
    int one = 1;  // loopback's own copy of each send is not a received frame
    ASSERT_EQ(::setsockopt(rx_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one), 0);
    auto ring = Ring::map(rx_, small_geometry<Ring>());
    ASSERT_TRUE(ring) << ring.error().message;
    ring_.emplace(std::move(*ring));
    sockaddr_ll a{};  // bound after the ring is mapped, as the transport does
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(kEtherType);
    a.sll_ifindex = lo_;
    ASSERT_EQ(::bind(rx_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  void TearDown() override {
    ring_.reset();
    if (rx_ >= 0) ::close(rx_);
    if (tx_ >= 0) ::close(tx_);
    scope_.reset();
  }
  void send(std::uint32_t seq, std::size_t size) {
    auto b = frame(seq, size);
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(kEtherType);
    a.sll_ifindex = lo_;
    a.sll_halen = 6;  // loopback's all-zero address
    ASSERT_EQ(::sendto(tx_, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a),
              static_cast<ssize_t>(b.size()));
  }
  // Reads (at most max_per_read a call, `want` in all) until `want` frames came (waiting in poll,
  // as a worker does; V3 hands a partly filled block over after its 1 ms timer) or `wait` passed.
  std::vector<Got> drain(std::size_t want, std::size_t max_per_read = 64,
                         std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::vector<Got> got;
    auto until = std::chrono::steady_clock::now() + wait;
    while (got.size() < want && std::chrono::steady_clock::now() < until) {
      pollfd p{rx_, POLLIN, 0};
      ::poll(&p, 1, 100);
      ring_->read(std::min(max_per_read, want - got.size()),
                  [&](std::span<const std::uint8_t> b, bool truncated) {
                    got.push_back({{b.begin(), b.end()}, truncated});
                    return true;
                  });
    }
    return got;
  }
  testing::Scenario s_{"ring"};
  std::optional<NetnsScope> scope_;
  std::optional<Ring> ring_;
  int lo_ = 0, rx_ = -1, tx_ = -1;
};

using Rings = ::testing::Types<PacketRxRing, PacketRxRingV2>;
TYPED_TEST_SUITE(PacketRxRingTest, Rings);

TYPED_TEST(PacketRxRingTest, DeliversEveryFrameInOrder) {
  // Sent in bursts smaller than the ring so that none is dropped for want of room.
  std::vector<Got> got;
  for (std::uint32_t burst = 0; burst < 50; ++burst) {
    for (std::uint32_t i = 0; i < 4; ++i) {
      std::uint32_t seq = burst * 4 + i;
      this->send(seq, 60 + (seq * 97) % 1400);
    }
    auto part = this->drain(4);
    got.insert(got.end(), part.begin(), part.end());
  }
  ASSERT_EQ(got.size(), 200u);
  for (std::uint32_t seq = 0; seq < 200; ++seq) {
    EXPECT_FALSE(got[seq].truncated) << seq;
    EXPECT_EQ(got[seq].bytes, frame(seq, 60 + (seq * 97) % 1400)) << seq;
  }
  EXPECT_TRUE(this->drain(1, 64, std::chrono::milliseconds(300)).empty());  // no duplicates
}

TYPED_TEST(PacketRxRingTest, StopsAtMaxAndWhereToldTo) {
  for (std::uint32_t seq = 0; seq < 6; ++seq) this->send(seq, 100);
  auto first = this->drain(3, 2);  // read(2), then read(1): frames 3-5 stay
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(seq_of(first[0].bytes), 0u);
  EXPECT_EQ(seq_of(first[2].bytes), 2u);
  // The callback refuses frame 4: read stops there and reports what it consumed.
  std::vector<std::uint32_t> seen;
  std::size_t n = 0;
  for (int i = 0; i < 50 && seen.size() < 2; ++i) {
    pollfd p{this->rx_, POLLIN, 0};
    ::poll(&p, 1, 100);
    n += this->ring_->read(64, [&](std::span<const std::uint8_t> b, bool) {
      seen.push_back(seq_of(b));
      return seq_of(b) != 4;
    });
  }
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{3, 4}));
  auto rest = this->drain(2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(seq_of(rest[0].bytes), 4u);
  EXPECT_EQ(seq_of(rest[1].bytes), 5u);
}

TYPED_TEST(PacketRxRingTest, WrapsAroundTheRing) {
  const std::size_t per_round = ring_frames<TypeParam>();
  std::uint32_t seq = 0;
  for (int round = 0; round < 4; ++round) {
    const std::uint32_t first = seq;
    // Large frames, one at a time: a V3 block (4 KiB) holds two, a V2 slot one.
    std::vector<Got> got;
    for (std::size_t i = 0; i < per_round; ++i) {
      this->send(seq++, 1500);
      auto part = this->drain(1);
      got.insert(got.end(), part.begin(), part.end());
    }
    ASSERT_EQ(got.size(), per_round) << "round " << round;
    for (std::size_t i = 0; i < per_round; ++i) {
      EXPECT_EQ(got[i].bytes, frame(first + static_cast<std::uint32_t>(i), 1500)) << round;
    }
  }
}

TYPED_TEST(PacketRxRingTest, MarksFramesLargerThanASlot) {
  const std::size_t big = std::is_same_v<TypeParam, PacketRxRingV2> ? 3000 : 6000;
  this->send(1, big);  // loopback's MTU (65536) lets it through whole
  this->send(2, 200);
  auto got = this->drain(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].truncated);
  EXPECT_LT(got[0].bytes.size(), big);
  EXPECT_EQ(seq_of(got[0].bytes), 1u);  // what fits is the frame's start
  EXPECT_FALSE(got[1].truncated);
  EXPECT_EQ(got[1].bytes, frame(2, 200));
}

}  // namespace
}  // namespace vpnlab::dataplane
