// The two AES backends (crypto_backend.hpp) against each other: byte-identical packets from
// the same keys, IV and number, each opening the other's, and the batch calls (which the
// ipsec-mb backend runs interleaved) equal to one packet at a time, with tampered packets
// in the middle of a batch dropped alone.
#include <gtest/gtest.h>

#include "esp/sa.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

const Bytes kIv = hex("0f0e0d0c0b0a09080706050403020100");

bool ipsec_mb() {
  return crypto_backend_available(CryptoBackend::ipsec_mb);
}

std::vector<SuiteId> aes_suites() {
  std::vector<SuiteId> out;
  for (const SuiteId& s : all_suites()) {
    if (s.encr != EncrAlgorithm::chacha20_poly1305) out.push_back(s);
  }
  return out;
}

std::unique_ptr<OutboundSa> outbound(const SuiteId& s, CryptoBackend b, bool esn) {
  SaParams p = params_for(s, 0x4242, esn);
  p.backend = b;
  auto sa = OutboundSa::create(p, std::make_unique<FixedIv>(kIv));
  if (!sa) ADD_FAILURE() << sa.error().message();
  return sa ? std::move(*sa) : nullptr;
}

std::unique_ptr<InboundSa> inbound(const SuiteId& s, CryptoBackend b, bool esn) {
  SaParams p = params_for(s, 0x4242, esn);
  p.backend = b;
  auto sa = InboundSa::create(p);
  if (!sa) ADD_FAILURE() << sa.error().message();
  return sa ? std::move(*sa) : nullptr;
}

TEST(EspBackends, AutomaticPicksIpsecMbWhereItRuns) {
  EXPECT_TRUE(crypto_backend_available(CryptoBackend::openssl));
  EXPECT_EQ(resolve_crypto_backend(CryptoBackend::automatic),
            ipsec_mb() ? CryptoBackend::ipsec_mb : CryptoBackend::openssl);
#if defined(__x86_64__)
  // CMake requires intel-ipsec-mb on x86-64, so on an AES-NI CPU it must be what runs.
  if (__builtin_cpu_supports("aes")) {
    EXPECT_TRUE(ipsec_mb()) << "an x86-64 build on an AES-NI CPU must have the ipsec-mb backend";
  }
#endif
}

TEST(EspBackends, SameBytesAndEachOpensTheOther) {
  if (!ipsec_mb()) GTEST_SKIP() << "intel-ipsec-mb not available here";
  for (const SuiteId& s : aes_suites()) {
    for (bool esn : {false, true}) {
      for (std::size_t size : {20u, 21u, 64u, 555u, 1400u, 1438u, 9000u}) {
        SCOPED_TRACE(testing::Message() << suite_name(s) << " esn=" << esn << " size=" << size);
        const std::uint64_t seq = esn ? 0x1'0000'0007u : 7u;
        const Bytes inner = ipv4_packet(size);
        Bytes wire[2];
        const CryptoBackend both[2] = {CryptoBackend::openssl, CryptoBackend::ipsec_mb};
        for (int i = 0; i < 2; ++i) {
          auto out = outbound(s, both[i], esn);
          ASSERT_TRUE(out);
          out->set_next_seq_for_test(SequenceNumber{seq});
          Packet pkt(inner);
          auto e = out->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4);
          ASSERT_TRUE(e);
          wire[i] = pkt.region(e->esp.offset, e->esp.length);
        }
        EXPECT_EQ(to_hex(wire[0]), to_hex(wire[1]));
        for (int i = 0; i < 2; ++i) {  // openssl opens ipsec-mb's packet and back
          auto in = inbound(s, both[1 - i], esn);
          ASSERT_TRUE(in);
          in->advance_window_for_test(SequenceNumber{seq - 1});
          Bytes buf = wire[i];
          auto d = in->decap(buf, 0, buf.size());
          ASSERT_TRUE(d) << to_string(d.error());
          EXPECT_EQ(
              Bytes(buf.begin() + d->inner.offset, buf.begin() + d->inner.offset + d->inner.length),
              inner);
        }
      }
    }
  }
}

// Batch sizes around the interleaving backend's thresholds: under 4 packets (OpenSSL), 4-15
// (the AVX2 manager), 16+ (AVX-512), and 150 (rounds of 64 and a tail of 22).
void check_batch(CryptoBackend b, const SuiteId& s, std::size_t count) {
  SCOPED_TRACE(testing::Message() << suite_name(s) << " " << crypto_backend_name(b) << " x"
                                  << count);
  auto batch_sa = outbound(s, b, true), single_sa = outbound(s, CryptoBackend::openssl, true);
  ASSERT_TRUE(batch_sa && single_sa);
  std::vector<Packet> pkts;
  std::vector<OutboundSa::Job> jobs;
  for (std::size_t i = 0; i < count; ++i) pkts.emplace_back(ipv4_packet(40 + i * 9));
  for (Packet& p : pkts) jobs.push_back({p.buf, p.offset, p.length, kNextHeaderIpv4});
  batch_sa->encap_batch(0, batch_sa->reserve(static_cast<std::uint32_t>(count)), jobs);
  std::vector<Bytes> wire;
  for (std::size_t i = 0; i < count; ++i) {
    ASSERT_TRUE(jobs[i].ok) << i;
    EXPECT_EQ(jobs[i].out.seq.value, i + 1);
    wire.push_back(pkts[i].region(jobs[i].out.esp.offset, jobs[i].out.esp.length));
    Packet one(ipv4_packet(40 + i * 9));
    auto e = single_sa->encap(one.buf, one.offset, one.length, kNextHeaderIpv4);
    ASSERT_TRUE(e);
    ASSERT_EQ(to_hex(one.region(e->esp.offset, e->esp.length)), to_hex(wire.back())) << i;
  }
  // Tampered: an ICV byte of the middle packet, an IV byte of the last one.
  const std::size_t mid = count / 2, last = count - 1;
  wire[mid][wire[mid].size() - overhead(s).icv_size] ^= 0x80;
  wire[last][9] ^= 0x01;
  auto in = inbound(s, b, true);
  ASSERT_TRUE(in);
  std::vector<InboundSa::Job> djobs;
  for (Bytes& w : wire) djobs.push_back({w, 0, w.size()});
  in->decap_batch(0, djobs);
  for (std::size_t i = 0; i < count; ++i) {
    const bool tampered = i == mid || i == last;
    ASSERT_EQ(djobs[i].ok, !tampered) << i;
    if (tampered) {
      EXPECT_EQ(djobs[i].reason, DropReason::auth_failed);
      continue;
    }
    EXPECT_EQ(Bytes(wire[i].begin() + djobs[i].out.inner.offset,
                    wire[i].begin() + djobs[i].out.inner.offset + djobs[i].out.inner.length),
              ipv4_packet(40 + i * 9));
  }
  EXPECT_EQ(in->stats().auth_failures, mid == last ? 1u : 2u);
  EXPECT_EQ(in->stats().packets, count - (mid == last ? 1 : 2));
}

TEST(EspBackends, BatchesEqualOneAtATimeAndDropOnlyTamperedPackets) {
  for (CryptoBackend b : backends()) {
    for (const SuiteId& s : aes_suites()) {
      for (std::size_t count : {1u, 3u, 4u, 15u, 16u, 150u}) check_batch(b, s, count);
    }
  }
}

TEST(EspBackends, BatchDropsPacketsWithoutRoomOrNumbersAndSealsTheRest) {
  for (CryptoBackend b : backends()) {
    SCOPED_TRACE(crypto_backend_name(b));
    const SuiteId s{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128};
    auto sa = outbound(s, b, false);
    ASSERT_TRUE(sa);
    std::vector<Packet> pkts;
    for (int i = 0; i < 4; ++i) pkts.emplace_back(ipv4_packet(100));
    pkts.emplace_back(ipv4_packet(100), 0);  // no tailroom for the trailer
    std::vector<OutboundSa::Job> jobs;
    for (Packet& p : pkts) jobs.push_back({p.buf, p.offset, p.length, kNextHeaderIpv4});
    auto seqs = sa->reserve(4);   // one number short
    std::swap(jobs[3], jobs[4]);  // the roomless packet gets a number, the last one none
    sa->encap_batch(0, seqs, jobs);
    EXPECT_TRUE(jobs[0].ok && jobs[1].ok && jobs[2].ok);
    EXPECT_EQ(jobs[3].reason, DropReason::no_room);
    EXPECT_EQ(jobs[4].reason, DropReason::seq_exhausted);
    EXPECT_EQ(sa->stats().packets, 3u);
    sa->encap_batch(0, sa->reserve(0), std::span<OutboundSa::Job>());  // empty batch
  }
}

}  // namespace
}  // namespace vpnlab::esp::test
