#include "dataplane/core/mss_clamp.hpp"

#include <gtest/gtest.h>

#include "packet_builders.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::ip;
using testing::l4_checksum;
using testing::tcp4_packet;

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10;

// MSS option: kind 2, length 4, value (RFC 9293 §3.2).
Bytes mss_option(std::uint16_t mss) {
  return {2, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss)};
}

std::uint16_t mss_at(const Bytes& p, std::size_t opt_offset) {
  return load_be16(&p[20 + 20 + opt_offset + 2]);
}

TEST(MssClamp, LowersSynMssAndKeepsChecksumValid) {
  Bytes p = tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn, mss_option(1460));
  EXPECT_TRUE(clamp_tcp_mss(p, 1406));
  EXPECT_EQ(mss_at(p, 0), 1406);
  EXPECT_EQ(l4_checksum(p), 0);  // a valid segment sums to zero with its checksum
}

TEST(MssClamp, OddOffsetOptionAfterNop) {
  // NOP, MSS, NOP, NOP, NOP: the MSS value straddles two 16-bit words.
  Bytes opts{1, 2, 4, 0x05, 0xb4, 1, 1, 1};
  Bytes p = tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn | kAck, opts);
  EXPECT_TRUE(clamp_tcp_mss(p, 1398));
  EXPECT_EQ(load_be16(&p[40 + 3]), 1398);
  EXPECT_EQ(l4_checksum(p), 0);
}

TEST(MssClamp, LeavesOtherPacketsAlone) {
  struct Case {
    const char* name;
    Bytes packet;
  };
  Bytes fragment = tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn, mss_option(1460));
  store_be16(&fragment[6], 0x0001);  // fragment offset 1
  Bytes truncated = tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn, mss_option(1460));
  truncated.resize(30);
  std::vector<Case> cases = {
      {"mss already small", tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn, mss_option(1300))},
      {"not a syn", tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kAck, mss_option(1460))},
      {"no options", tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn)},
      {"udp", testing::udp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), 40)},
      {"non-first fragment", fragment},
      {"truncated", truncated},
      {"option length overruns header",
       tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), kSyn, Bytes{1, 1, 3, 9})},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes before = c.packet;
    EXPECT_FALSE(clamp_tcp_mss(c.packet, 1406));
    EXPECT_EQ(before, c.packet);
  }
}

TEST(MssClamp, ChecksumAdjustMatchesRfc1624Example) {
  // RFC 1624 §4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000.
  EXPECT_EQ(checksum_adjust(0xdd2f, 0x5555, 0x3285), 0x0000);
}

}  // namespace
}  // namespace vpnlab::dataplane
