// Every drop reason on a crafted packet, each with its own counter; lifetimes; sequence
// number exhaustion; the SA database (RFC 4303 3.4.2 unknown SPI).
#include <gtest/gtest.h>

#include "esp/errors.hpp"
#include "esp/sa_database.hpp"
#include "esp/transform.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

const SuiteId kGcm{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none};
const SuiteId kCbc{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha2_256_128};

struct Sealed {
  Packet pkt;
  PacketRegion esp;
};

// Encapsulates `inner` with arbitrary next header / raw payload (to build bad packets the
// sender would never produce, but whose ICV verifies).
Sealed seal(OutboundSa& sa, const Bytes& inner, std::uint8_t nh) {
  Sealed s{Packet(inner), {}};
  auto e = sa.encap(s.pkt.buf, s.pkt.offset, s.pkt.length, nh);
  if (!e) std::abort();
  s.esp = e->esp;
  return s;
}

std::unique_ptr<OutboundSa> outbound(const SuiteId& suite, Lifetime life = {}) {
  auto p = params_for(suite);
  p.lifetime = life;
  auto sa = OutboundSa::create(p);
  if (!sa) std::abort();
  return std::move(*sa);
}

std::unique_ptr<InboundSa> inbound(const SuiteId& suite, Lifetime life = {}) {
  auto p = params_for(suite);
  p.lifetime = life;
  auto sa = InboundSa::create(p);
  if (!sa) std::abort();
  return std::move(*sa);
}

void expect_drop(InboundSa& in, Sealed& s, DropReason want) {
  auto d = in.decap(s.pkt.buf, s.esp.offset, s.esp.length);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), want) << to_string(d.error());
  EXPECT_EQ(in.stats().drop(want), 1u) << to_string(want);
}

TEST(EspDrops, TooShort) {
  for (const auto& suite : {kGcm, kCbc}) {
    auto in = inbound(suite);
    const Overhead o = in->overhead();
    Bytes buf(o.headroom + o.block_size + o.icv_size - 1, 0);
    store_be32(buf.data(), 0x1000);
    auto d = in->decap(buf, 0, buf.size());
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error(), DropReason::too_short);
    EXPECT_EQ(in->stats().malformed, 1u);
    // Region past the buffer's end is "too short" too, not a read overrun.
    EXPECT_EQ(in->decap(buf, 4, buf.size()).error(), DropReason::too_short);
  }
}

TEST(EspDrops, BadLengthNotBlockAligned) {
  auto out = outbound(kCbc);
  auto in = inbound(kCbc);
  Sealed s = seal(*out, ipv4_packet(64), kNextHeaderIpv4);
  s.esp.length += 4;  // 4 extra bytes between ciphertext and where the ICV would be
  expect_drop(*in, s, DropReason::bad_length);
}

TEST(EspDrops, BadIcvIsAuthFailedAndDoesNotMoveTheWindow) {
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    auto out = outbound(suite);
    auto in = inbound(suite);
    Sealed s = seal(*out, ipv4_packet(100), kNextHeaderIpv4);
    Bytes good = s.pkt.buf;
    s.pkt.buf[s.esp.offset + s.esp.length - 1] ^= 0x01;
    expect_drop(*in, s, DropReason::auth_failed);
    EXPECT_EQ(in->stats().auth_failures, 1u);
    EXPECT_EQ(in->replay_window().top().value, 0u);
    s.pkt.buf = good;  // the genuine packet with the same number still gets through
    EXPECT_TRUE(in->decap(s.pkt.buf, s.esp.offset, s.esp.length));
  }
}

TEST(EspDrops, ReplayedPacket) {
  auto out = outbound(kGcm);
  auto in = inbound(kGcm);
  Sealed s = seal(*out, ipv4_packet(64), kNextHeaderIpv4);
  Bytes copy = s.pkt.buf;
  ASSERT_TRUE(in->decap(s.pkt.buf, s.esp.offset, s.esp.length));
  s.pkt.buf = copy;
  expect_drop(*in, s, DropReason::replay);
  EXPECT_EQ(in->stats().replay_drops, 1u);
}

TEST(EspDrops, UnknownSpiAndShortInDatabase) {
  SaDatabase db;
  ASSERT_TRUE(db.add(inbound(kGcm)));
  EXPECT_EQ(db.add(inbound(kGcm)).error(), make_error_code(errc::spi_in_use));
  auto out = outbound(kGcm);
  Sealed s = seal(*out, ipv4_packet(64), kNextHeaderIpv4);
  store_be32(&s.pkt.buf[s.esp.offset], 0x2000);
  auto d = db.decap(s.pkt.buf, s.esp.offset, s.esp.length);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), DropReason::unknown_spi);
  EXPECT_EQ(db.unknown_spi_drops(), 1u);
  Bytes tiny(7);
  EXPECT_EQ(db.decap(tiny, 0, tiny.size()).error(), DropReason::too_short);
  EXPECT_EQ(db.too_short_drops(), 1u);
  // The right SPI is found and decapsulated.
  Sealed ok = seal(*out, ipv4_packet(64), kNextHeaderIpv4);
  EXPECT_TRUE(db.decap(ok.pkt.buf, ok.esp.offset, ok.esp.length));
  EXPECT_EQ(db.find(Spi{0x1000})->stats().packets, 1u);
  EXPECT_NE(db.remove(Spi{0x1000}), nullptr);
  EXPECT_EQ(db.find(Spi{0x1000}), nullptr);
}

TEST(EspDrops, SpiMismatchOnDirectCall) {
  auto out = outbound(kGcm);
  auto p = params_for(kGcm, 0x3000);
  auto in = InboundSa::create(p);
  ASSERT_TRUE(in);
  Sealed s = seal(*out, ipv4_packet(64), kNextHeaderIpv4);
  expect_drop(**in, s, DropReason::spi_mismatch);
}

TEST(EspDrops, WrongNextHeader) {
  auto out = outbound(kGcm);
  auto in = inbound(kGcm);
  Sealed s = seal(*out, ipv4_packet(64), 17);  // UDP: not allowed in tunnel mode
  expect_drop(*in, s, DropReason::bad_next_header);
  EXPECT_EQ(in->stats().malformed, 1u);
}

TEST(EspDrops, DummyPacket) {
  auto out = outbound(kGcm);
  auto in = inbound(kGcm);
  Sealed s = seal(*out, Bytes(32, 0), kNextHeaderNone);  // RFC 4303 2.6
  expect_drop(*in, s, DropReason::dummy_packet);
  EXPECT_EQ(in->stats().malformed, 0u);
}

TEST(EspDrops, InnerPacketDisagreesWithNextHeader) {
  auto out = outbound(kGcm);
  auto in = inbound(kGcm);
  Sealed v6_as_v4 = seal(*out, ipv6_packet(80), kNextHeaderIpv4);
  expect_drop(*in, v6_as_v4, DropReason::bad_inner_packet);
  Bytes longer = ipv4_packet(64);
  store_be16(&longer[2], 65);  // Total Length one byte past the payload
  Sealed s = seal(*out, longer, kNextHeaderIpv4);
  auto d = in->decap(s.pkt.buf, s.esp.offset, s.esp.length);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), DropReason::bad_inner_packet);
}

// Seals a hand-made plaintext body (payload | padding | pad length | next header) with the
// SA's own keys through the internal transform, so the ICV verifies and only the trailer
// rules can reject the packet.
Sealed craft(const SuiteId& suite, std::uint32_t seq, const Bytes& body) {
  auto p = params_for(suite);
  auto t = make_transform(TransformKeys{p.suite, p.keys, false, true});
  if (!t) std::abort();
  const Overhead o = overhead(suite);
  Bytes raw(o.headroom + body.size() + o.icv_size, 0);
  store_be32(raw.data(), p.spi.value);
  store_be32(raw.data() + 4, seq);
  std::copy(body.begin(), body.end(), raw.begin() + static_cast<long>(o.headroom));
  if (!(*t)->seal(raw.data(), body.size(), 0)) std::abort();
  Sealed s{Packet(raw, 0), {}};
  s.esp = PacketRegion{s.pkt.offset, raw.size()};
  return s;
}

TEST(EspDrops, BadPadding) {
  for (const auto& suite : {kGcm, kCbc}) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    const std::size_t block = overhead(suite).block_size;
    auto in = inbound(suite);
    // RFC 4303 2.4: pad bytes must be 1, 2, 3, ...: here 1, 5.
    Bytes body = ipv4_packet(block * 8 - 4);
    for (int b : {0x01, 0x05, 0x02, 4}) body.push_back(static_cast<std::uint8_t>(b));
    Sealed wrong_bytes = craft(suite, 1, body);
    expect_drop(*in, wrong_bytes, DropReason::bad_padding);
    // Pad Length larger than the whole body.
    Bytes body2(block, 0);
    body2[block - 2] = 200;
    body2[block - 1] = kNextHeaderIpv4;
    Sealed too_long = craft(suite, 2, body2);
    auto d = in->decap(too_long.pkt.buf, too_long.esp.offset, too_long.esp.length);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error(), DropReason::bad_padding);
    EXPECT_EQ(in->stats().drop(DropReason::bad_padding), 2u);
    // Correct padding passes, showing the packets above differ only in their trailer.
    Bytes good = ipv4_packet(block * 8 - 4);
    for (int b : {0x01, 0x02, 0x02, 4}) good.push_back(static_cast<std::uint8_t>(b));
    Sealed fine = craft(suite, 3, good);
    EXPECT_TRUE(in->decap(fine.pkt.buf, fine.esp.offset, fine.esp.length));
  }
}

TEST(EspDrops, SequenceNumberExhaustion) {
  auto out = outbound(kGcm);
  out->set_next_seq_for_test(SequenceNumber{0xffffffffu});
  Packet a(ipv4_packet(64)), b(ipv4_packet(64));
  EXPECT_TRUE(out->encap(a.buf, a.offset, a.length, kNextHeaderIpv4));
  auto r = out->encap(b.buf, b.offset, b.length, kNextHeaderIpv4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DropReason::seq_exhausted);
  EXPECT_EQ(out->stats().drop(DropReason::seq_exhausted), 1u);
}

TEST(EspDrops, NoHeadroomOrTailroom) {
  auto out = outbound(kCbc);
  Bytes inner = ipv4_packet(64);
  Packet no_tail(inner, 0);
  EXPECT_EQ(out->encap(no_tail.buf, no_tail.offset, no_tail.length, 4).error(),
            DropReason::no_room);
  Packet ok(inner);
  EXPECT_EQ(out->encap(ok.buf, 8, ok.length, 4).error(), DropReason::no_room);
  EXPECT_EQ(out->stats().drop(DropReason::no_room), 2u);
  EXPECT_EQ(out->next_seq().value, 1u);  // no number consumed
}

TEST(EspLifetime, SoftThenHardThenExpired) {
  Lifetime life;
  life.soft_packets = 2;
  life.hard_packets = 3;
  auto out = outbound(kGcm, life);
  auto in = inbound(kGcm, life);
  const LifetimeEvent want[] = {LifetimeEvent::none, LifetimeEvent::soft_expired,
                                LifetimeEvent::hard_expired};
  for (auto w : want) {
    Packet pkt(ipv4_packet(64));
    auto e = out->encap(pkt.buf, pkt.offset, pkt.length, 4);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->event, w);
    auto d = in->decap(pkt.buf, e->esp.offset, e->esp.length);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->event, w);
  }
  Packet pkt(ipv4_packet(64));
  EXPECT_EQ(out->encap(pkt.buf, pkt.offset, pkt.length, 4).error(), DropReason::lifetime_expired);
}

TEST(EspLifetime, ByteLimits) {
  Lifetime life;
  life.soft_bytes = 100;
  life.hard_bytes = 1000;
  auto out = outbound(kGcm, life);
  Packet a(ipv4_packet(64));
  EXPECT_EQ(out->encap(a.buf, a.offset, a.length, 4)->event, LifetimeEvent::none);
  Packet b(ipv4_packet(64));
  EXPECT_EQ(out->encap(b.buf, b.offset, b.length, 4)->event, LifetimeEvent::soft_expired);
  Packet c(ipv4_packet(1000));
  EXPECT_EQ(out->encap(c.buf, c.offset, c.length, 4)->event, LifetimeEvent::hard_expired);
}

TEST(EspSetup, RejectsBadParameters) {
  auto p = params_for(kGcm);
  p.spi = Spi{255};
  EXPECT_EQ(OutboundSa::create(p).error(), make_error_code(errc::reserved_spi));
  p = params_for(kGcm);
  p.keys.encr_key = SecretBytes(Bytes(16));  // salt missing
  EXPECT_EQ(InboundSa::create(p).error(), make_error_code(errc::bad_key_length));
  p = params_for(SuiteId{EncrAlgorithm::aes_gcm_16, 192, IntegAlgorithm::none});
  EXPECT_EQ(OutboundSa::create(p).error(), make_error_code(errc::unsupported_suite));
  p = params_for(kGcm);
  p.replay_window = kMaxReplayWindow + 1;
  EXPECT_EQ(InboundSa::create(p).error(), make_error_code(errc::bad_replay_window));
}

}  // namespace
}  // namespace vpnlab::esp::test

namespace vpnlab::esp::test {
namespace {

// The window as decap applies it, for the sizes the clouds and strongSwan use (RFC 4303
// 3.4.3): sealed packets 1..N+1 delivered in a chosen order.
TEST(EspReplayThroughSa, WindowSizes) {
  for (std::uint32_t size : {0u, 64u, 1024u, 4096u}) {
    SCOPED_TRACE(size);
    auto p = params_for(kGcm, 0x1000, false, size);
    auto out = OutboundSa::create(p);
    auto in = InboundSa::create(p);
    ASSERT_TRUE(out && in);
    const std::uint32_t n = size == 0 ? 64 : size;
    std::vector<Sealed> pkts;
    for (std::uint32_t i = 0; i <= n; ++i) pkts.push_back(seal(**out, ipv4_packet(40), 4));
    auto deliver = [&](std::uint32_t seq) {
      Sealed s = pkts[seq - 1];  // copy: decap works in place
      auto d = (*in)->decap(s.pkt.buf, s.esp.offset, s.esp.length);
      return d ? std::optional<DropReason>() : std::optional<DropReason>(d.error());
    };
    EXPECT_FALSE(deliver(1));      // first packet
    EXPECT_FALSE(deliver(n + 1));  // jump to the top of the window
    const bool enabled = size != 0;
    EXPECT_EQ(deliver(1).has_value(), enabled);  // now left of the window / duplicate
    EXPECT_FALSE(deliver(2));                    // oldest still inside: accepted
    EXPECT_EQ(deliver(2).has_value(), enabled);  // duplicate
    EXPECT_EQ((*in)->stats().replay_drops, enabled ? 2u : 0u);
  }
}

}  // namespace
}  // namespace vpnlab::esp::test
