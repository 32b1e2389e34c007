// classify_ipsec / capture_filter_matches: which outer packets `vpnlab capture` keeps and
// which SAs it notes, from headers built field by field (RFC 4303 2.1, RFC 3948 2.2/2.3,
// RFC 7296 3.1).
#include "dataplane/core/ipsec_classify.hpp"

#include <gtest/gtest.h>

#include "packet_builders.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::ip;

Bytes esp_packet(Ipv4Address src, Ipv4Address dst, std::uint32_t spi) {
  Bytes p = testing::ipv4_header(src, dst, 50, 8 + 16);
  ByteWriter w(p);
  w.u32(spi);  // SPI
  w.u32(7);    // Sequence Number
  w.zeros(16);
  return p;
}

// UDP with `body` as payload (no checksum: classify does not look at it).
Bytes udp_packet(std::uint16_t sport, std::uint16_t dport, const Bytes& body) {
  Bytes p = testing::ipv4_header(ip("198.51.100.10"), ip("203.0.113.10"), 17, 8 + body.size());
  ByteWriter w(p);
  w.u16(sport);
  w.u16(dport);
  w.u16(static_cast<std::uint16_t>(8 + body.size()));
  w.u16(0);
  w.bytes(body);
  return p;
}

Bytes ike_header(std::uint64_t spi_i, std::uint64_t spi_r, std::uint8_t exchange) {
  Bytes h;
  ByteWriter w(h);
  w.u64(spi_i);    // IKE SA Initiator's SPI
  w.u64(spi_r);    // IKE SA Responder's SPI
  w.u8(33);        // Next Payload: SA
  w.u8(0x20);      // MjVer 2, MnVer 0
  w.u8(exchange);  // Exchange Type
  w.u8(0x08);      // Flags: Initiator
  w.u32(0);        // Message ID
  w.u32(28);       // Length
  return h;
}

TEST(IpsecClassify, RawEspCarriesItsSpi) {
  auto p = classify_ipsec(esp_packet(ip("198.51.100.10"), ip("203.0.113.10"), 0xc8b1ece6));
  EXPECT_EQ(p.kind, IpsecKind::esp);
  EXPECT_EQ(p.esp_spi, 0xc8b1ece6u);
  EXPECT_EQ(p.src, ip("198.51.100.10"));
  EXPECT_EQ(p.dst, ip("203.0.113.10"));
}

TEST(IpsecClassify, IkeOnPort500) {
  auto p = classify_ipsec(udp_packet(500, 500, ike_header(0x1a3266bfde747284, 0, 34)));
  EXPECT_EQ(p.kind, IpsecKind::ike);
  EXPECT_EQ(p.ike_spi_i, 0x1a3266bfde747284u);
  EXPECT_EQ(p.ike_spi_r, 0u);
  EXPECT_EQ(p.ike_exchange, 34);  // IKE_SA_INIT
}

TEST(IpsecClassify, NatTPortSplitsByTheNonEspMarker) {
  Bytes ike = {0, 0, 0, 0};  // non-ESP marker
  Bytes h = ike_header(1, 2, 35);
  ike.insert(ike.end(), h.begin(), h.end());
  auto p = classify_ipsec(udp_packet(4500, 4500, ike));
  EXPECT_EQ(p.kind, IpsecKind::ike);
  EXPECT_EQ(p.ike_exchange, 35);  // IKE_AUTH

  Bytes esp = {0xb9, 0xe4, 0xd9, 0xd8, 0, 0, 0, 1, 9, 9, 9, 9};
  p = classify_ipsec(udp_packet(4500, 4500, esp));
  EXPECT_EQ(p.kind, IpsecKind::esp);
  EXPECT_EQ(p.esp_spi, 0xb9e4d9d8u);

  EXPECT_EQ(classify_ipsec(udp_packet(4500, 4500, {0xFF})).kind, IpsecKind::nat_keepalive);
}

TEST(IpsecClassify, OtherAndTruncatedPacketsAreOther) {
  EXPECT_EQ(classify_ipsec(testing::udp4_packet(ip("10.1.0.4"), ip("10.2.0.4"), 40)).kind,
            IpsecKind::other);
  Bytes esp = esp_packet(ip("1.1.1.1"), ip("2.2.2.2"), 0x1234);
  esp.resize(22);  // the SPI cut in half
  EXPECT_EQ(classify_ipsec(esp).kind, IpsecKind::other);
  Bytes short_ike = udp_packet(500, 500, Bytes(20, 0));  // less than an IKE header
  EXPECT_EQ(classify_ipsec(short_ike).kind, IpsecKind::other);
  EXPECT_EQ(classify_ipsec(Bytes{0x60, 0, 0}).kind, IpsecKind::other);  // IPv6 / garbage
  EXPECT_EQ(classify_ipsec(Bytes{}).kind, IpsecKind::other);
}

TEST(IpsecClassify, FilterKeepsIpsecOfOnePairInBothDirections) {
  CaptureFilter f{true, true, ip("198.51.100.10"), ip("203.0.113.10")};
  EXPECT_TRUE(capture_filter_matches(f, esp_packet(ip("198.51.100.10"), ip("203.0.113.10"), 300)));
  EXPECT_TRUE(capture_filter_matches(f, esp_packet(ip("203.0.113.10"), ip("198.51.100.10"), 301)));
  EXPECT_FALSE(capture_filter_matches(f, esp_packet(ip("198.51.100.11"), ip("203.0.113.10"), 302)));
  EXPECT_FALSE(capture_filter_matches(
      f, testing::udp4_packet(ip("198.51.100.10"), ip("203.0.113.10"), 10)));  // not IPsec

  CaptureFilter node{true, false, {}, {}};
  EXPECT_TRUE(capture_filter_matches(node, esp_packet(ip("198.51.100.11"), ip("203.0.113.10"), 1)));
  EXPECT_FALSE(capture_filter_matches(node, testing::udp4_packet(ip("1.1.1.1"), ip("2.2.2.2"), 4)));
  EXPECT_TRUE(capture_filter_matches(CaptureFilter{}, Bytes{0x60, 0, 0}));  // inner: everything
}

}  // namespace
}  // namespace vpnlab::dataplane
