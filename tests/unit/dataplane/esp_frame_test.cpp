// The outer IPv4 header of the AF_PACKET ESP transport (dataplane/linux/esp_frame.hpp):
// what we write is what the kernel's raw socket path would put on the wire, and what we
// accept on receive is exactly a whole, well-formed ESP-over-IPv4 packet.
#include "dataplane/linux/esp_frame.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "packet_builders.hpp"

namespace vpnlab::dataplane {
namespace {

const Ipv4Address kSrc = *Ipv4Address::parse("192.0.2.1");
const Ipv4Address kDst = *Ipv4Address::parse("192.0.2.2");

// An ESP packet of `payload` bytes behind the header we write.
Bytes esp_frame(std::uint16_t payload, std::uint16_t id = 7) {
  Bytes f(kIpv4HeaderLen + payload, 0xab);
  write_esp_ipv4_header(std::span<std::uint8_t, kIpv4HeaderLen>(f.data(), kIpv4HeaderLen), kSrc,
                        kDst, payload, id);
  return f;
}

TEST(EspFrame, WritesTheHeaderFieldByField) {
  Bytes f = esp_frame(100, 0x1234);
  EXPECT_EQ(f[0], 0x45);                // version 4, IHL 5
  EXPECT_EQ(f[1], 0);                   // TOS
  EXPECT_EQ(load_be16(&f[2]), 120);     // total length
  EXPECT_EQ(load_be16(&f[4]), 0x1234);  // identification
  EXPECT_EQ(load_be16(&f[6]), 0);       // DF clear, not a fragment (cloud-facts [A-BP])
  EXPECT_EQ(f[8], 64);                  // TTL
  EXPECT_EQ(f[9], 50);                  // protocol ESP
  EXPECT_EQ(load_be32(&f[12]), kSrc.value);
  EXPECT_EQ(load_be32(&f[16]), kDst.value);
  // The checksum equals an independent RFC 1071 computation (the test builders').
  Bytes header(f.begin(), f.begin() + kIpv4HeaderLen);
  std::uint16_t written = load_be16(&header[10]);
  testing::fix_ipv4_checksum(header);
  EXPECT_EQ(written, load_be16(&header[10]));
  EXPECT_EQ(ipv4_header_checksum(ByteSpan(f).first(kIpv4HeaderLen)), 0);
}

TEST(EspFrame, ParsesWhatItWrites) {
  Bytes f = esp_frame(64);
  auto r = parse_esp_frame(f);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->src, kSrc);
  EXPECT_EQ(r.frame->dst, kDst);
  EXPECT_EQ(r.frame->header_len, 20u);
  EXPECT_EQ(r.frame->payload_len, 64u);
}

TEST(EspFrame, TheTotalLengthDecidesNotTheFrameLength) {
  // Ethernet pads short frames to 60 bytes: the padding is not ESP.
  Bytes f = esp_frame(16);
  f.resize(60, 0);
  auto r = parse_esp_frame(f);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->payload_len, 16u);
}

TEST(EspFrame, HeaderOptionsAreSkipped) {
  // IHL 6: one option word (RFC 791 §3.1), then the ESP packet.
  Bytes f = testing::ipv4_header(kSrc, kDst, 50, 4 + 32);
  f[0] = 0x46;
  f.insert(f.begin() + 20, {1, 1, 1, 0});  // NOP NOP NOP EOL
  f.resize(24 + 32, 0xcd);
  store_be16(&f[2], static_cast<std::uint16_t>(f.size()));
  testing::fix_ipv4_checksum(f);
  auto r = parse_esp_frame(f);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->header_len, 24u);
  EXPECT_EQ(r.frame->payload_len, 32u);
}

TEST(EspFrame, RefusesWhatIsNotAWholeEspPacket) {
  struct Case {
    std::string name;
    std::function<void(Bytes&)> change;
    EspFrameError error;
  };
  const std::vector<Case> cases = {
      {"short", [](Bytes& f) { f.resize(19); }, EspFrameError::short_frame},
      {"IPv6", [](Bytes& f) { f[0] = 0x65; }, EspFrameError::not_ipv4},
      {"IHL 4", [](Bytes& f) { f[0] = 0x44; }, EspFrameError::bad_header_length},
      {"IHL past the frame",
       [](Bytes& f) {
         f[0] = 0x4f;
         f.resize(40);
       },
       EspFrameError::bad_header_length},
      {"checksum", [](Bytes& f) { f[10] ^= 0x01; }, EspFrameError::bad_checksum},
      {"UDP",
       [](Bytes& f) {
         f[9] = 17;
         testing::fix_ipv4_checksum(f);
       },
       EspFrameError::not_esp},
      {"first fragment (MF)",
       [](Bytes& f) {
         f[6] = 0x20;
         testing::fix_ipv4_checksum(f);
       },
       EspFrameError::fragment},
      {"later fragment",
       [](Bytes& f) {
         store_be16(&f[6], 0x00b9);
         testing::fix_ipv4_checksum(f);
       },
       EspFrameError::fragment},
      {"total length past the frame",
       [](Bytes& f) {
         store_be16(&f[2], 2000);
         testing::fix_ipv4_checksum(f);
       },
       EspFrameError::bad_total_length},
      {"total length below the header",
       [](Bytes& f) {
         store_be16(&f[2], 12);
         testing::fix_ipv4_checksum(f);
       },
       EspFrameError::bad_total_length},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes f = esp_frame(40);
    c.change(f);
    auto r = parse_esp_frame(f);
    EXPECT_FALSE(r.frame);
    EXPECT_EQ(r.error, c.error);
  }
}

TEST(EspFrame, DontFragmentIsNotAFragment) {
  Bytes f = esp_frame(40);
  f[6] = 0x40;  // DF: a reassembled packet may carry it (ip_frag_reasm)
  testing::fix_ipv4_checksum(f);
  EXPECT_TRUE(parse_esp_frame(f).frame);
}

}  // namespace
}  // namespace vpnlab::dataplane
