// Encap then decap for every suite at several sizes, with and without ESN, IPv4 and IPv6
// inner packets, TFC padding after the inner packet, and the published overheads.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "esp/sa.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

struct Pair {
  std::unique_ptr<OutboundSa> out;
  std::unique_ptr<InboundSa> in;
};

Pair make_pair(const SuiteId& suite, bool esn = false) {
  auto out = OutboundSa::create(params_for(suite, 0x1000, esn));
  auto in = InboundSa::create(params_for(suite, 0x1000, esn));
  if (!out || !in) std::abort();
  return {std::move(*out), std::move(*in)};
}

void expect_round_trip(Pair& p, const Bytes& inner, std::uint8_t nh) {
  Packet pkt(inner);
  auto e = p.out->encap(pkt.buf, pkt.offset, pkt.length, nh);
  ASSERT_TRUE(e) << to_string(e.error());
  const Overhead& o = p.out->overhead();
  EXPECT_EQ(e->esp.offset, pkt.offset - o.headroom);
  EXPECT_EQ(e->esp.length, o.headroom + inner.size() + tailroom_for(o, inner.size()));
  EXPECT_EQ((e->esp.length - o.headroom - o.icv_size) % o.block_size, 0u);
  // The ciphertext must not contain the inner packet in clear.
  EXPECT_NE(pkt.region(pkt.offset, inner.size()), inner);
  auto d = p.in->decap(pkt.buf, e->esp.offset, e->esp.length);
  ASSERT_TRUE(d) << to_string(d.error());
  EXPECT_EQ(d->inner.offset, pkt.offset);
  EXPECT_EQ(pkt.region(d->inner.offset, d->inner.length), inner);
  EXPECT_EQ(d->next_header, nh);
  EXPECT_EQ(d->seq, e->seq);
}

TEST(EspRoundTrip, EverySuiteSeveralSizes) {
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    for (bool esn : {false, true}) {
      Pair p = make_pair(suite, esn);
      for (std::size_t size : {20u, 21u, 64u, 255u, 512u, 1400u, 1500u, 9000u}) {
        SCOPED_TRACE(size);
        expect_round_trip(p, ipv4_packet(size), kNextHeaderIpv4);
      }
      const auto s = p.in->stats();
      EXPECT_EQ(s.packets, 8u);
      EXPECT_EQ(p.out->stats().packets, 8u);
      EXPECT_EQ(s.bytes, p.out->stats().bytes);
      EXPECT_EQ(p.out->next_seq().value, 9u);
    }
  }
}

TEST(EspRoundTrip, Ipv6InnerUsesNextHeader41) {
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    Pair p = make_pair(suite);
    for (std::size_t size : {40u, 41u, 1280u})
      expect_round_trip(p, ipv6_packet(size), kNextHeaderIpv6);
  }
}

TEST(EspRoundTrip, TfcPaddingAfterInnerPacketIsCut) {
  // RFC 4303 2.7: the sender may append bytes after the inner packet; the receiver trusts
  // the inner IP Total Length.
  Pair p = make_pair(SuiteId{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none});
  Bytes inner = ipv4_packet(100);
  Bytes with_tfc = inner;
  with_tfc.resize(160, 0);
  Packet pkt(with_tfc);
  auto e = p.out->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4);
  ASSERT_TRUE(e);
  auto d = p.in->decap(pkt.buf, e->esp.offset, e->esp.length);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->inner.length, 100u);
  EXPECT_EQ(pkt.region(d->inner.offset, d->inner.length), inner);
}

TEST(EspRoundTrip, EsnHighBitsAreAuthenticatedNotSent) {
  // RFC 4303 2.2.1: only the low 32 bits are on the wire; the high half enters the ICV.
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    Pair p = make_pair(suite, true);
    p.out->set_next_seq_for_test(SequenceNumber{0x0000000500000007});
    p.in->advance_window_for_test(SequenceNumber{0x0000000500000001});
    Packet pkt(ipv4_packet(64));
    auto e = p.out->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4);
    ASSERT_TRUE(e);
    EXPECT_EQ(load_be32(&pkt.buf[e->esp.offset + 4]), 7u);
    Bytes copy = pkt.buf;
    auto d = p.in->decap(pkt.buf, e->esp.offset, e->esp.length);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->seq.value, 0x0000000500000007u);
    // A receiver that infers another high half fails the ICV.
    auto other = InboundSa::create(params_for(suite, 0x1000, true));
    ASSERT_TRUE(other);
    auto bad = (*other)->decap(copy, e->esp.offset, e->esp.length);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), DropReason::auth_failed);
  }
}

TEST(EspRoundTrip, CbcIvsDifferPerPacket) {
  // RFC 3602 2.3: CBC IVs must be unpredictable; at least never the same twice here.
  Pair p = make_pair(SuiteId{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha2_256_128});
  Bytes first_iv;
  for (int i = 0; i < 3; ++i) {
    Packet pkt(ipv4_packet(64));
    auto e = p.out->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4);
    ASSERT_TRUE(e);
    Bytes iv = pkt.region(e->esp.offset + 8, 16);
    EXPECT_NE(iv, first_iv);
    if (i == 0) first_iv = iv;
  }
}

TEST(EspOverhead, PublishedNumbers) {
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    const Overhead o = overhead(suite);
    EXPECT_LE(o.headroom, kMaxHeadroom);
    EXPECT_LE(o.max_tailroom, kMaxTailroom);
    for (std::size_t n = 0; n < 40; ++n) EXPECT_LE(tailroom_for(o, n), o.max_tailroom);
  }
  const Overhead gcm = overhead(SuiteId{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none});
  EXPECT_EQ(gcm.headroom, 16u);
  EXPECT_EQ(tailroom_for(gcm, 62), 2u + 16u);
  const Overhead cbc =
      overhead(SuiteId{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256});
  EXPECT_EQ(cbc.headroom, kMaxHeadroom);
  EXPECT_EQ(cbc.max_tailroom, kMaxTailroom);
  EXPECT_EQ(overhead(SuiteId{EncrAlgorithm::aes_gcm_16, 192, IntegAlgorithm::none}).headroom, 0u);
}

TEST(EspTypes, KeymatSizesAndNames) {
  const SuiteId gcm128{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none};
  EXPECT_EQ(encr_keymat_size(gcm128), 20u);                                          // RFC 4106 8.1
  EXPECT_EQ(encr_keymat_size(SuiteId{EncrAlgorithm::chacha20_poly1305, 256}), 36u);  // RFC 7634 2
  EXPECT_EQ(encr_keymat_size(SuiteId{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha1_96}),
            32u);
  EXPECT_EQ(integ_keymat_size(IntegAlgorithm::hmac_sha1_96), 20u);
  EXPECT_EQ(integ_keymat_size(IntegAlgorithm::hmac_sha2_512_256), 64u);
  EXPECT_EQ(suite_name(gcm128), "aes128gcm16");
  EXPECT_EQ(suite_name(SuiteId{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128}),
            "aes256-sha256");
  EXPECT_EQ(suite_name(SuiteId{EncrAlgorithm::chacha20_poly1305, 256}), "chacha20poly1305");
}

TEST(EspTypes, EveryDropReasonHasItsOwnName) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    const auto name = to_string(static_cast<DropReason>(i));
    EXPECT_NE(name, "unknown");
    names.insert(name);
  }
  EXPECT_EQ(names.size(), kDropReasonCount);
}

}  // namespace
}  // namespace vpnlab::esp::test

namespace vpnlab::esp::test {
namespace {

// RFC 4303 A2: an ESN SA crossing 2^32. The wire carries 0xfffffffe, 0xffffffff, 0, 1;
// the receiver infers the high half forward across the wrap and backward for a packet
// from before the wrap that arrives late.
TEST(EspRoundTrip, EsnWrapAcross2To32BothDirections) {
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    auto out = OutboundSa::create(params_for(suite, 0x1000, true));
    auto in = InboundSa::create(params_for(suite, 0x1000, true));
    ASSERT_TRUE(out && in);
    (*out)->set_next_seq_for_test(SequenceNumber{0xfffffffeu});
    (*in)->advance_window_for_test(SequenceNumber{0xfffffffdu});
    std::vector<Packet> pkts;
    std::vector<PacketRegion> regions;
    for (int i = 0; i < 4; ++i) {
      pkts.emplace_back(ipv4_packet(100));
      auto e = (*out)->encap(pkts.back().buf, pkts.back().offset, pkts.back().length, 4);
      ASSERT_TRUE(e);
      regions.push_back(e->esp);
    }
    EXPECT_EQ(load_be32(&pkts[2].buf[regions[2].offset + 4]), 0u);  // low half only
    const std::uint64_t want[] = {0xfffffffeu, 0x100000000u, 0xffffffffu, 0x100000001u};
    const int order[] = {0, 2, 1, 3};  // 0xffffffff arrives after the wrap
    for (int k = 0; k < 4; ++k) {
      const int i = order[k];
      auto d = (*in)->decap(pkts[i].buf, regions[i].offset, regions[i].length);
      ASSERT_TRUE(d) << k << ": " << to_string(d.error());
      EXPECT_EQ(d->seq.value, want[k]);
    }
    EXPECT_EQ((*in)->replay_window().top().value, 0x100000001u);
  }
}

TEST(EspRoundTrip, EsnSequenceExhaustsAt2To64) {
  auto out = OutboundSa::create(
      params_for(SuiteId{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none}, 0x1000, true));
  ASSERT_TRUE(out);
  (*out)->set_next_seq_for_test(SequenceNumber{~std::uint64_t{0}});
  Packet a(ipv4_packet(64)), b(ipv4_packet(64));
  EXPECT_TRUE((*out)->encap(a.buf, a.offset, a.length, 4));
  auto r = (*out)->encap(b.buf, b.offset, b.length, 4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DropReason::seq_exhausted);
}

}  // namespace
}  // namespace vpnlab::esp::test

namespace vpnlab::esp::test {
namespace {

// Status reads counters from another thread while the owner processes packets: values
// only grow and end exact (run under TSan to check the single-writer counters).
TEST(EspCounters, ReadableWhileTrafficFlows) {
  const SuiteId suite{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none};
  auto out = OutboundSa::create(params_for(suite));
  ASSERT_TRUE(out);
  std::atomic<bool> done{false};
  bool monotonic = true;
  std::thread reader([&] {
    std::uint64_t last = 0;
    while (!done.load()) {
      const std::uint64_t now = (*out)->stats().packets;
      if (now < last) monotonic = false;
      last = now;
    }
  });
  Packet pkt(ipv4_packet(64));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE((*out)->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4));
  }
  done = true;
  reader.join();
  EXPECT_TRUE(monotonic);
  EXPECT_EQ((*out)->stats().packets, 5000u);
  EXPECT_EQ((*out)->stats().bytes, 5000u * 64u);
}

}  // namespace
}  // namespace vpnlab::esp::test
