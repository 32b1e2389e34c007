// SAs shared by several worker threads (SaParams::lanes): sequence-number blocks never
// overlap (so GCM IVs never repeat, RFC 4106 3.1), every lane's packets decrypt, and the
// replay window accepts each number exactly once when lanes decapsulate concurrently
// (RFC 4303 3.4.3). The threaded cases are also meant for TSan.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "esp/sa.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

const SuiteId kGcm{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none};
const SuiteId kCbc{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128};

SaParams lane_params(const SuiteId& suite, std::uint32_t lanes, bool esn = false) {
  SaParams p = params_for(suite, 0x1000, esn);
  p.lanes = lanes;
  return p;
}

std::unique_ptr<OutboundSa> make_out(const SaParams& p) {
  auto sa = OutboundSa::create(p);
  if (!sa) std::abort();
  return std::move(*sa);
}

std::unique_ptr<InboundSa> make_in(const SaParams& p) {
  auto sa = InboundSa::create(p);
  if (!sa) std::abort();
  return std::move(*sa);
}

TEST(EspLanes, LanesAreClampedAndCounted) {
  EXPECT_EQ(make_out(lane_params(kGcm, 0))->lanes(), 1u);
  EXPECT_EQ(make_out(lane_params(kGcm, 3))->lanes(), 3u);
  EXPECT_EQ(make_in(lane_params(kGcm, 1000))->lanes(), kMaxLanes);
}

TEST(EspLanes, ConcurrentReserveHandsOutEveryNumberOnce) {
  auto sa = make_out(lane_params(kGcm, 4));
  constexpr int kThreads = 4, kBlocks = 5000;
  std::vector<std::vector<std::uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBlocks; ++i) {
        auto b = sa->reserve(static_cast<std::uint32_t>(1 + (i + t) % 7));
        for (std::uint32_t k = 0; k < b.count; ++k) got[t].push_back(b.first + k);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::uint64_t> all;
  for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a number was reused";
  // Blocks tile the space from 1 without gaps.
  EXPECT_EQ(all.front(), 1u);
  EXPECT_EQ(all.back(), all.size());
  EXPECT_EQ(sa->next_seq().value, all.size() + 1);
}

TEST(EspLanes, ReserveStopsAtTheEndOfTheEsnSpace) {
  auto sa = make_out(lane_params(kGcm, 2, true));
  sa->set_next_seq_for_test(SequenceNumber{~std::uint64_t{0} - 2});
  auto b = sa->reserve(8);
  EXPECT_EQ(b.first, ~std::uint64_t{0} - 2);
  EXPECT_EQ(b.count, 3u);  // ..fd, ..fe, ..ff; RFC 4303 3.3.3: never cycle
  EXPECT_EQ(sa->reserve(1).count, 0u);
  Packet pkt(ipv4_packet(100));
  EXPECT_EQ(sa->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4).error(),
            DropReason::seq_exhausted);
}

TEST(EspLanes, EncapAtDropsNumbersPast32BitsWithoutEsn) {
  auto sa = make_out(lane_params(kGcm, 2));
  Packet pkt(ipv4_packet(100));
  auto r = sa->encap_at(1, SequenceNumber{0x100000000}, pkt.buf, pkt.offset, pkt.length,
                        kNextHeaderIpv4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DropReason::seq_exhausted);
  EXPECT_EQ(sa->stats().drop(DropReason::seq_exhausted), 1u);
}

// Two lanes encrypt at once; every packet carries its own number, the GCM IV equals it (so
// no IV repeats), and a single-lane receiver decrypts them all.
TEST(EspLanes, ConcurrentEncapUniqueNumbersAndIvsAllDecrypt) {
  for (const SuiteId& suite : {kGcm, kCbc}) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    auto out = make_out(lane_params(suite, 2));
    constexpr int kPerLane = 400;
    std::vector<std::vector<Packet>> pkts(2);
    std::vector<std::vector<EncapOk>> res(2);
    for (auto& v : pkts) v.assign(kPerLane, Packet(ipv4_packet(200)));
    std::vector<std::thread> threads;
    for (std::size_t lane = 0; lane < 2; ++lane) {
      threads.emplace_back([&, lane] {
        for (int i = 0; i < kPerLane; i += 16) {
          auto b = out->reserve(16);
          for (std::uint32_t k = 0; k < b.count; ++k) {
            Packet& p = pkts[lane][i + k];
            auto r = out->encap_at(lane, SequenceNumber{b.first + k}, p.buf, p.offset, p.length,
                                   kNextHeaderIpv4);
            if (r) res[lane].push_back(*r);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(res[0].size() + res[1].size(), 2u * kPerLane);
    std::set<std::uint64_t> seqs;
    std::set<Bytes> ivs;
    auto in = make_in(lane_params(suite, 1));
    const Overhead& o = out->overhead();
    for (std::size_t lane = 0; lane < 2; ++lane) {
      for (std::size_t i = 0; i < res[lane].size(); ++i) {
        Packet& p = pkts[lane][i];
        const EncapOk& e = res[lane][i];
        seqs.insert(e.seq.value);
        ivs.insert(p.region(e.esp.offset + 8, o.iv_size));
        if (suite == kGcm) {
          Bytes seq_iv(8);
          store_be32(seq_iv.data(), e.seq.high());
          store_be32(seq_iv.data() + 4, e.seq.low());
          EXPECT_EQ(p.region(e.esp.offset + 8, 8), seq_iv);
        }
        auto d = in->decap(p.buf, e.esp.offset, e.esp.length);
        ASSERT_TRUE(d) << to_string(d.error());
        EXPECT_EQ(p.region(d->inner.offset, d->inner.length), ipv4_packet(200));
      }
    }
    EXPECT_EQ(seqs.size(), 2u * kPerLane);
    EXPECT_EQ(ivs.size(), 2u * kPerLane);
    EXPECT_EQ(out->stats().packets, 2u * kPerLane);
  }
}

// Two lanes seal batches at once (the interleaving backend keeps one job manager per
// thread): batches of 16 and of 6 packets reach both of its managers; every packet gets a
// distinct number and a single-lane receiver opens them all. Run under TSan as well.
TEST(EspLanes, ConcurrentEncapBatchesAllDecrypt) {
  for (const SuiteId& suite : {kGcm, kCbc}) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    auto out = make_out(lane_params(suite, 2));
    constexpr std::size_t kPerLane = 22 * 16;
    std::vector<std::vector<Packet>> pkts(2);
    std::vector<std::vector<OutboundSa::Job>> jobs(2);
    for (auto& v : pkts) v.assign(kPerLane, Packet(ipv4_packet(300)));
    std::vector<std::thread> threads;
    for (std::size_t lane = 0; lane < 2; ++lane) {
      threads.emplace_back([&, lane] {
        for (Packet& p : pkts[lane]) jobs[lane].push_back({p.buf, p.offset, p.length});
        for (std::size_t i = 0; i < kPerLane;) {
          const std::size_t n = (i / 16) % 2 == 0 ? 16 : 6;
          std::span<OutboundSa::Job> batch(&jobs[lane][i], std::min(n, kPerLane - i));
          out->encap_batch(lane, out->reserve(static_cast<std::uint32_t>(batch.size())), batch);
          i += batch.size();
        }
      });
    }
    for (auto& th : threads) th.join();
    auto in = make_in(lane_params(suite, 1));
    std::set<std::uint64_t> seqs;
    for (std::size_t lane = 0; lane < 2; ++lane) {
      for (std::size_t i = 0; i < kPerLane; ++i) {
        const OutboundSa::Job& j = jobs[lane][i];
        ASSERT_TRUE(j.ok) << lane << " " << i;
        seqs.insert(j.out.seq.value);
        Packet& p = pkts[lane][i];
        auto d = in->decap(p.buf, j.out.esp.offset, j.out.esp.length);
        ASSERT_TRUE(d) << to_string(d.error());
        EXPECT_EQ(p.region(d->inner.offset, d->inner.length), ipv4_packet(300));
      }
    }
    EXPECT_EQ(seqs.size(), 2 * kPerLane);
  }
}

struct Sealed {
  std::vector<Packet> pkts;
  std::vector<PacketRegion> esp;
};

Sealed seal(OutboundSa& out, std::size_t n) {
  Sealed s;
  s.pkts.assign(n, Packet(ipv4_packet(120)));
  for (auto& p : s.pkts) {
    auto e = out.encap(p.buf, p.offset, p.length, kNextHeaderIpv4);
    if (!e) std::abort();
    s.esp.push_back(e->esp);
  }
  return s;
}

std::vector<InboundSa::Job> jobs_for(Sealed& s, std::size_t from, std::size_t to) {
  std::vector<InboundSa::Job> jobs;
  for (std::size_t i = from; i < to; ++i) {
    InboundSa::Job j;
    j.buf = s.pkts[i].buf;
    j.offset = s.esp[i].offset;
    j.length = s.esp[i].length;
    jobs.push_back(j);
  }
  return jobs;
}

TEST(EspLanes, DecapBatchDropsADuplicateInsideTheBatch) {
  auto out = make_out(lane_params(kGcm, 1));
  auto in = make_in(lane_params(kGcm, 2));
  Sealed s = seal(*out, 3);
  Sealed copy = s;  // the same packet twice in one batch: the copy was not decrypted yet
  auto jobs = jobs_for(s, 0, 3);
  auto dup = jobs_for(copy, 1, 2);
  jobs.push_back(dup[0]);
  in->decap_batch(1, jobs);
  EXPECT_TRUE(jobs[0].ok && jobs[1].ok && jobs[2].ok);
  ASSERT_FALSE(jobs[3].ok);
  EXPECT_EQ(jobs[3].reason, DropReason::replay);
  EXPECT_EQ(jobs[1].out.seq.value, 2u);
  EXPECT_EQ(s.pkts[1].region(jobs[1].out.inner.offset, jobs[1].out.inner.length), ipv4_packet(120));
  auto st = in->stats();
  EXPECT_EQ(st.packets, 3u);
  EXPECT_EQ(st.replay_drops, 1u);
}

TEST(EspLanes, DecapBatchChecksBeforeAndAfterTheIcv) {
  auto out = make_out(lane_params(kGcm, 1));
  SaParams ip = lane_params(kGcm, 2);
  ip.replay_window = 64;
  auto in = make_in(ip);
  Sealed s = seal(*out, 200);
  s.pkts[150].buf[s.esp[150].offset + 30] ^= 1;  // corrupted: auth_failed, window unmoved
  auto late = jobs_for(s, 199, 200);
  in->decap_batch(0, late);  // top = 200
  auto batch = jobs_for(s, 100, 151);
  in->decap_batch(1, batch);
  // Packet i carries number i + 1: batch[0] is 101, left of the 64-packet window below 200.
  EXPECT_EQ(batch[0].reason, DropReason::replay);
  EXPECT_FALSE(batch[35].ok);                                           // 136
  for (std::size_t i = 36; i < 50; ++i) EXPECT_TRUE(batch[i].ok) << i;  // 137..150
  EXPECT_EQ(batch[50].reason, DropReason::auth_failed);
  EXPECT_EQ(in->replay_window().top().value, 200u);
  auto st = in->stats();
  EXPECT_EQ(st.auth_failures, 1u);
  EXPECT_EQ(st.packets, 1u + 14u);
  EXPECT_EQ(st.replay_drops, 36u);
}

// Each of two lanes gets every packet (as if the network duplicated them onto both
// workers' sockets), in different orders and batch sizes: every number is accepted exactly
// once in total.
TEST(EspLanes, ConcurrentDecapAcceptsEachNumberOnce) {
  auto out = make_out(lane_params(kGcm, 1));
  auto in = make_in(lane_params(kGcm, 2));
  constexpr std::size_t kN = 600;
  Sealed a = seal(*out, kN);
  Sealed b = a;
  std::reverse(b.pkts.begin(), b.pkts.end());
  std::reverse(b.esp.begin(), b.esp.end());
  std::atomic<std::size_t> accepted{0};
  std::vector<std::uint64_t> seen[2];
  auto run = [&](Sealed& s, std::size_t lane, std::size_t batch) {
    for (std::size_t i = 0; i < kN; i += batch) {
      auto jobs = jobs_for(s, i, std::min(kN, i + batch));
      in->decap_batch(lane, jobs);
      for (const auto& j : jobs) {
        if (!j.ok) continue;
        accepted.fetch_add(1);
        seen[lane].push_back(j.out.seq.value);
      }
    }
  };
  std::thread t0([&] { run(a, 0, 16); });
  std::thread t1([&] { run(b, 1, 7); });
  t0.join();
  t1.join();
  std::set<std::uint64_t> all(seen[0].begin(), seen[0].end());
  all.insert(seen[1].begin(), seen[1].end());
  EXPECT_EQ(all.size(), seen[0].size() + seen[1].size()) << "a number was accepted twice";
  EXPECT_EQ(accepted.load(), in->stats().packets);
  EXPECT_EQ(in->stats().packets + in->stats().replay_drops, 2 * kN);
}

TEST(EspLanes, LifetimeCrossingIsReportedOnceAcrossLanes) {
  SaParams p = lane_params(kGcm, 2);
  p.lifetime.soft_packets = 3;
  auto out = make_out(p);
  int soft = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    Packet pkt(ipv4_packet(64));
    auto b = out->reserve(1);
    auto r = out->encap_at(i % 2, SequenceNumber{b.first}, pkt.buf, pkt.offset, pkt.length,
                           kNextHeaderIpv4);
    ASSERT_TRUE(r);
    if (r->event == LifetimeEvent::soft_expired) {
      ++soft;
      EXPECT_EQ(i, 2u);  // the third packet, summed over both lanes
    }
  }
  EXPECT_EQ(soft, 1);
}

}  // namespace
}  // namespace vpnlab::esp::test
