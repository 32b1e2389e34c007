// The limit probes' generator on loopback: it paces to the offered rate, sends UDP_SEGMENT
// super-packets that arrive as datagrams, and its counter counts a coalesced (UDP_GRO) read
// as the datagrams in it, not as one.
#include "topology/bench/udp_flood.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace vpnlab::topology::bench {
namespace {

const Ipv4Address kLoopback{0x7f000001};

std::uint16_t test_port(int offset) {
  return static_cast<std::uint16_t>(42000 + (::getpid() % 4000) * 4 + offset);
}

TEST(UdpFlood, PacedSendsArriveAndAreCountedOneByOne) {
  // 20,000/s for 0.5 s: 10,000 datagrams, give or take the last batch (8 x 64).
  auto r = run_udp_flood("", "", kLoopback, test_port(0), 64, 20000, 0.5);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(r->sent, 10000u - 512u);
  EXPECT_LE(r->sent, 10000u + 512u);
  // Loopback loses nothing into a 32 MB buffer: every datagram is counted, coalesced or not.
  EXPECT_EQ(r->received.datagrams, r->sent);
  EXPECT_EQ(r->received.bytes, r->sent * 64);
}

TEST(UdpFlood, LargeDatagramsStayUnderOneSendsSixtyFourKiB) {
  // 1200 bytes: 54 per UDP_SEGMENT send (64 would be 76,800 bytes, which the kernel refuses).
  auto r = run_udp_flood("", "", kLoopback, test_port(1), 1200, 5000, 0.4);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GT(r->sent, 1000u);
  EXPECT_EQ(r->received.datagrams, r->sent);
  EXPECT_EQ(r->received.bytes, r->sent * 1200);
}

TEST(UdpFlood, BadPayloadAndBusyPortAreNamed) {
  auto bad = UdpFloodSender::open("", kLoopback, test_port(2), 0, true);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("payload 0 bytes"), std::string::npos) << bad.error().message;
  auto first = UdpFloodReceiver::open("", test_port(3));
  ASSERT_TRUE(first) << first.error().message;
  auto second = UdpFloodReceiver::open("", test_port(3));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("port " + std::to_string(test_port(3))), std::string::npos)
      << second.error().message;
  auto missing = UdpFloodReceiver::open("vpnlab-no-such-netns", test_port(2));
  EXPECT_FALSE(missing);
}

}  // namespace
}  // namespace vpnlab::topology::bench
