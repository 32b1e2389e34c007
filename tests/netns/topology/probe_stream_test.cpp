// The sequenced UDP probe stream (topology/probe_stream.hpp) between two namespaces joined
// by a veth pair (root; label netns), and its loss accounting (pure, tally()).
//
//   vpnlab-t-<pid>-pa  pa 10.98.0.1/24 ==veth== pb 10.98.0.2/24  vpnlab-t-<pid>-pb
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "dataplane/linux/netns.hpp"
#include "topology/probe_stream.hpp"

namespace vpnlab::topology {
namespace {

TEST(ProbeTally, CountsLossesDuplicatesAndTheLongestRun) {
  std::vector<std::uint8_t> seen = {1, 0, 0, 1, 2, 0, 1};
  DirectionReport r = tally(9, seen, 1000);  // 7 and 8 never arrived either
  EXPECT_EQ(r.sent, 9u);
  EXPECT_EQ(r.received, 4u);
  EXPECT_EQ(r.lost, 5u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.longest_gap_packets, 2u);
  EXPECT_DOUBLE_EQ(r.longest_gap_ms, 2.0);
}

TEST(ProbeTally, ListsEachRunOfLossesWithItsSendTime) {
  std::vector<std::uint8_t> seen = {1, 0, 0, 1, 2, 0, 1};
  DirectionReport r = tally(9, seen, 500);  // 2 ms per datagram
  ASSERT_EQ(r.loss_runs.size(), 3u);
  EXPECT_EQ(r.loss_runs[0].first_seq, 1u);
  EXPECT_EQ(r.loss_runs[0].packets, 2u);
  EXPECT_DOUBLE_EQ(r.loss_runs[0].at_ms, 2.0);
  EXPECT_DOUBLE_EQ(r.loss_runs[0].duration_ms, 4.0);
  EXPECT_EQ(r.loss_runs[1].first_seq, 5u);
  EXPECT_EQ(r.loss_runs[1].packets, 1u);
  EXPECT_EQ(r.loss_runs[2].first_seq, 7u);  // the tail: sent, never seen
  EXPECT_EQ(r.loss_runs[2].packets, 2u);
  EXPECT_EQ(r.loss_runs_dropped, 0u);
}

TEST(ProbeTally, BoundsTheListOfRuns) {
  std::vector<std::uint8_t> seen;
  for (std::size_t i = 0; i < 2 * DirectionReport::kMaxLossRuns + 10; ++i) seen.push_back(i % 2);
  DirectionReport r = tally(seen.size(), seen, 1000);
  EXPECT_EQ(r.loss_runs.size(), DirectionReport::kMaxLossRuns);
  EXPECT_EQ(r.loss_runs_dropped, 5u);
  EXPECT_EQ(r.lost, DirectionReport::kMaxLossRuns + 5);
}

struct Namespaces {
  std::string a = "vpnlab-t-" + std::to_string(getpid()) + "-pa";
  std::string b = "vpnlab-t-" + std::to_string(getpid()) + "-pb";
  ~Namespaces() {
    (void)dataplane::delete_netns(a);
    (void)dataplane::delete_netns(b);
  }
};

int sh(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str());
}

TEST(ProbeStream, BothDirectionsCountedAndALinkCutShowsAsOneRunOfLosses) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
  Namespaces ns;
  ASSERT_TRUE(dataplane::create_netns(ns.a));
  ASSERT_TRUE(dataplane::create_netns(ns.b));
  ASSERT_EQ(sh("ip -n " + ns.a + " link add pa type veth peer name pb netns " + ns.b), 0);
  ASSERT_EQ(sh("ip -n " + ns.a + " addr add 10.98.0.1/24 dev pa && ip -n " + ns.a +
               " link set pa up && ip -n " + ns.b + " addr add 10.98.0.2/24 dev pb && ip -n " +
               ns.b + " link set pb up"),
            0);
  ProbeEndpoint a{ns.a, *Ipv4Address::parse("10.98.0.1")};
  ProbeEndpoint b{ns.b, *Ipv4Address::parse("10.98.0.2")};
  auto s = ProbeStream::start(a, b, ProbeOptions{1000, std::chrono::milliseconds(300)});
  ASSERT_TRUE(s) << s.error().message;
  // Wait for traffic both ways (progress, not a timing assertion), cut the link, restore it.
  for (int i = 0; i < 200 && ((*s)->received_a_to_b() < 100 || (*s)->received_b_to_a() < 100); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(sh("ip -n " + ns.b + " link set pb down"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(sh("ip -n " + ns.b + " link set pb up"), 0);
  std::uint64_t before = (*s)->received_a_to_b();
  for (int i = 0; i < 300 && (*s)->received_a_to_b() < before + 100; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ProbeReport r = (*s)->stop();
  for (const DirectionReport* d : {&r.a_to_b, &r.b_to_a}) {
    EXPECT_GT(d->received, 100u);
    EXPECT_GT(d->lost, 0u);
    EXPECT_EQ(d->received + d->lost, d->sent);
    EXPECT_EQ(d->duplicates, 0u);
    // The cut is one run: most of what was lost was lost in a row.
    EXPECT_GE(d->longest_gap_packets * 2, d->lost);
  }
}

}  // namespace
}  // namespace vpnlab::topology
