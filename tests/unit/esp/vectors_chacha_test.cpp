// ChaCha20-Poly1305 ESP packet from RFC 7634 Appendix A ("ESP Example"): tunnel mode,
// an 84-byte ICMP echo inside, SPI 0x01020304, sequence number 5, IV 1011121314151617,
// key 808182...9f with salt a0a1a2a3 (RFC 7634 2: salt = last 4 bytes of the keymat).
#include <gtest/gtest.h>

#include "esp/sa.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

// RFC 7634 Appendix A: the inner packet (without the ESP trailer 01 02 02 04).
const char* kInner =
    "4500 0054 a6f2 0000 4001 e778 c633 6405 c000 0205 0800 5b7a 3a08 0000 553b ec10"
    "0007 3627 0809 0a0b 0c0d 0e0f 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223"
    "2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637";
// RFC 7634 Appendix A: the ESP packet, SPI .. ICV.
const char* kPacket =
    "01020304 00000005 1011121314151617"
    "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
    "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
    "cbec163fac469b502773f6fb94e664da9165b82829f641e0"
    "76aaa8266b7fb0f7b11b369907e1ad43";

SaParams rfc7634_params() {
  SaParams p;
  p.spi = Spi{0x01020304};
  p.suite = SuiteId{EncrAlgorithm::chacha20_poly1305, 256, IntegAlgorithm::none};
  p.keys.encr_key =
      SecretBytes(hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3"));
  return p;
}

TEST(EspChachaVector, EncapProducesRfc7634Packet) {
  auto sa =
      OutboundSa::create(rfc7634_params(), std::make_unique<FixedIv>(hex("1011121314151617")));
  ASSERT_TRUE(sa);
  (*sa)->set_next_seq_for_test(SequenceNumber{5});
  Packet pkt(hex(kInner));
  auto r = (*sa)->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4);
  ASSERT_TRUE(r);
  EXPECT_EQ(to_hex(pkt.region(r->esp.offset, r->esp.length)), to_hex(hex(kPacket)));
}

TEST(EspChachaVector, DecapRecoversRfc7634InnerPacket) {
  auto sa = InboundSa::create(rfc7634_params());
  ASSERT_TRUE(sa);
  Bytes buf = hex(kPacket);
  auto r = (*sa)->decap(buf, 0, buf.size());
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->next_header, kNextHeaderIpv4);
  EXPECT_EQ(r->seq.value, 5u);
  EXPECT_EQ(
      to_hex(Bytes(buf.begin() + r->inner.offset, buf.begin() + r->inner.offset + r->inner.length)),
      to_hex(hex(kInner)));
}

TEST(EspChachaVector, WrongIcvIsAuthFailure) {
  auto sa = InboundSa::create(rfc7634_params());
  ASSERT_TRUE(sa);
  Bytes buf = hex(kPacket);
  buf.back() ^= 0x80;
  auto r = (*sa)->decap(buf, 0, buf.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DropReason::auth_failed);
}

}  // namespace
}  // namespace vpnlab::esp::test
