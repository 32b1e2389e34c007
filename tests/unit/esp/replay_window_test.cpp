// Anti-replay window edges (RFC 4303 3.4.3, appendix A2 for ESN).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "esp/replay_window.hpp"

namespace vpnlab::esp {
namespace {

// check + update, as decap does for an authenticated packet.
bool accept(ReplayWindow& w, std::uint32_t low) {
  auto s = w.check(low);
  if (!s) return false;
  w.update(*s);
  return true;
}

TEST(EspReplayWindow, FirstPacketAndZero) {
  ReplayWindow w(64, false);
  EXPECT_FALSE(w.check(0));  // RFC 4303 3.3.3: numbering starts at 1
  EXPECT_TRUE(accept(w, 1));
  EXPECT_EQ(w.top().value, 1u);
}

TEST(EspReplayWindow, FirstPacketMayBeFarAhead) {
  ReplayWindow w(64, false);
  EXPECT_TRUE(accept(w, 1000000));
  EXPECT_FALSE(w.check(1000000));
  EXPECT_TRUE(w.check(1000000 - 63));
  EXPECT_FALSE(w.check(1000000 - 64));
}

TEST(EspReplayWindow, InWindowOutOfOrderAndDuplicate) {
  ReplayWindow w(64, false);
  EXPECT_TRUE(accept(w, 10));
  EXPECT_TRUE(accept(w, 8));
  EXPECT_TRUE(accept(w, 9));
  EXPECT_FALSE(w.check(8));
  EXPECT_FALSE(w.check(9));
  EXPECT_FALSE(w.check(10));
  EXPECT_TRUE(accept(w, 7));
  EXPECT_EQ(w.top().value, 10u);
}

TEST(EspReplayWindow, CheckAloneDoesNotMark) {
  // Packets failing the ICV never reach update(): their number stays acceptable.
  ReplayWindow w(64, false);
  EXPECT_TRUE(w.check(5));
  EXPECT_TRUE(w.check(5));
  EXPECT_TRUE(accept(w, 5));
  EXPECT_FALSE(w.check(5));
}

TEST(EspReplayWindow, TooOldAtExactEdge) {
  for (std::uint32_t size : {2u, 64u, 100u, 1024u, 4096u, kMaxReplayWindow}) {
    SCOPED_TRACE(size);
    ReplayWindow w(size, false);
    const std::uint32_t top = 100000;
    EXPECT_TRUE(accept(w, top));
    EXPECT_TRUE(w.check(top - size + 1));  // oldest number still inside
    EXPECT_FALSE(w.check(top - size));     // just left of the window
    EXPECT_TRUE(accept(w, top - size + 1));
    EXPECT_FALSE(w.check(top - size + 1));
  }
}

TEST(EspReplayWindow, SizeOneAcceptsOnlyNewerPackets) {
  ReplayWindow w(1, false);
  EXPECT_TRUE(accept(w, 50));
  EXPECT_FALSE(w.check(50));  // duplicate
  EXPECT_FALSE(w.check(49));  // left of a one-packet window
  EXPECT_TRUE(accept(w, 51));
}

TEST(EspReplayWindow, SlideByMoreThanTheWindowClearsEverything) {
  for (std::uint32_t size : {64u, 100u, 1024u, 4096u}) {
    SCOPED_TRACE(size);
    ReplayWindow w(size, false);
    for (std::uint32_t s = 1; s <= 200; ++s) ASSERT_TRUE(accept(w, s));
    const std::uint32_t jump = 200 + 3 * size + 17;
    EXPECT_TRUE(accept(w, jump));
    // Every number inside the new window, except the top, is unseen - including those
    // whose ring slots held old bits.
    for (std::uint32_t s = jump - size + 1; s < jump; ++s) ASSERT_TRUE(w.check(s)) << s;
    EXPECT_FALSE(w.check(jump));
    EXPECT_FALSE(w.check(200));
  }
}

TEST(EspReplayWindow, SlideBySmallStepsKeepsBits) {
  ReplayWindow w(1024, false);
  for (std::uint32_t s = 1; s <= 5000; s += 2) ASSERT_TRUE(accept(w, s));
  for (std::uint32_t s = 5000 - 1000; s <= 4999; ++s) {
    EXPECT_EQ(w.check(s).has_value(), s % 2 == 0) << s;
  }
}

TEST(EspReplayWindow, SizeZeroDisablesAntiReplay) {
  ReplayWindow w(0, false);
  EXPECT_TRUE(accept(w, 5));
  EXPECT_TRUE(accept(w, 5));
  EXPECT_TRUE(accept(w, 1));
  EXPECT_FALSE(w.check(0));
  EXPECT_EQ(w.top().value, 5u);
}

TEST(EspReplayWindow, WithoutEsnTheHighBitsAreZero) {
  ReplayWindow w(64, false);
  EXPECT_TRUE(accept(w, 0xffffffffu));
  EXPECT_FALSE(w.check(0xffffffffu));
  EXPECT_FALSE(w.check(0));
  EXPECT_FALSE(w.check(1));  // far left of 2^32-1, not a wrap
}

TEST(EspReplayWindow, EsnWrapForwardAcross2To32) {
  // RFC 4303 A2.2 case A: top near 2^32, a small low half means the next subspace.
  ReplayWindow w(64, true);
  w.update(SequenceNumber{0xfffffff0u});
  auto s = w.check(0x00000003u);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, 0x100000003u);
  w.update(*s);
  EXPECT_EQ(w.top().value, 0x100000003u);
  // Late packets from below the wrap are still inside the window (case B).
  auto late = w.check(0xfffffff5u);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->value, 0xfffffff5u);
  w.update(*late);
  EXPECT_FALSE(w.check(0xfffffff5u));
  EXPECT_FALSE(w.check(0xfffffff0u));
  EXPECT_FALSE(w.check(0x00000003u));
}

TEST(EspReplayWindow, EsnWrapBackwardFromNewSubspace) {
  // Case B: top just past 2^32; numbers right of the old bottom belong to Th - 1.
  ReplayWindow w(1024, true);
  w.update(SequenceNumber{0x100000010u});
  auto s = w.check(0xfffffe00u);  // 0x100000010 - 0xfffffe00 = 0x210 < 1024: in window
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, 0xfffffe00u);
  EXPECT_EQ(w.check(0xfffffc11u)->value, 0xfffffc11u);  // oldest number inside the window
  // One further left is, per A2.2 case B, taken to be in the next subspace (the ICV then
  // decides); it is never mistaken for an old number inside the window.
  EXPECT_EQ(w.check(0xfffffc10u)->value, 0x1fffffc10u);
  auto ahead = w.check(0x20u);
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->value, 0x100000020u);
}

TEST(EspReplayWindow, EsnFirstSubspaceHasNoPredecessor) {
  ReplayWindow w(64, true);
  EXPECT_TRUE(accept(w, 5));
  EXPECT_FALSE(w.check(0xfffffff0u));  // would be high = -1
}

TEST(EspReplayWindow, EsnWithWindowDisabledPicksNearest) {
  ReplayWindow w(0, true);
  w.update(SequenceNumber{0x2fffffff0u});
  EXPECT_EQ(w.check(0x5u)->value, 0x300000005u);
  EXPECT_EQ(w.check(0xffffff00u)->value, 0x2ffffff00u);
  ReplayWindow fresh(0, true);
  fresh.update(SequenceNumber{5});
  EXPECT_FALSE(fresh.check(0xfffffff0u));  // nearest would be before 0
  ReplayWindow last(0, true);
  last.update(SequenceNumber{~std::uint64_t{0} - 2});
  EXPECT_FALSE(last.check(0x10u));  // nearest would be past 2^64-1
}

TEST(EspReplayWindow, OversizedWindowIsClamped) {
  ReplayWindow w(kMaxReplayWindow + 100, false);
  EXPECT_EQ(w.size(), kMaxReplayWindow);
}

}  // namespace
}  // namespace vpnlab::esp

namespace vpnlab::esp {
namespace {

// Property test: the ring bitmap agrees with a naive model (a set of every number
// received, RFC 4303 3.4.3 applied literally) over random arrivals around the top,
// including duplicates, stale numbers and jumps past the window. Fixed seed.
TEST(EspReplayWindow, MatchesNaiveModel) {
  for (std::uint32_t size : {1u, 64u, 100u, 1024u}) {
    SCOPED_TRACE(size);
    ReplayWindow w(size, false);
    std::set<std::uint32_t> seen;
    std::uint32_t top = 0;
    std::mt19937 rng(size);
    for (int i = 0; i < 20000; ++i) {
      const int spread = static_cast<int>(size) * 2 + 4;
      std::int64_t s = static_cast<std::int64_t>(top) +
                       std::uniform_int_distribution<int>(-spread, spread / 2)(rng);
      if (i % 997 == 0) s += 5 * static_cast<std::int64_t>(size);  // jump past the window
      if (s < 0) s = 0;
      const auto seq = static_cast<std::uint32_t>(s);
      const bool model = seq != 0 && (seq > top || (top - seq < size && !seen.count(seq)));
      auto got = w.check(seq);
      ASSERT_EQ(got.has_value(), model) << "op " << i << " seq " << seq << " top " << top;
      if (model && rng() % 8 != 0) {  // 1 in 8 accepted packets fails the ICV: no update
        w.update(*got);
        seen.insert(seq);
        top = std::max(top, seq);
      }
    }
  }
}

// The same with ESN across the 2^32 boundary: only the low half goes in; a packet the
// model accepts must come back with its true 64-bit number, a duplicate is rejected, and
// a stale one is either rejected or mapped to a different (future) number whose ICV then
// fails (RFC 4303 A2.2).
TEST(EspReplayWindow, EsnMatchesNaiveModelAcrossTheWrap) {
  for (std::uint32_t size : {64u, 1024u}) {
    SCOPED_TRACE(size);
    ReplayWindow w(size, true);
    std::set<std::uint64_t> seen;
    std::uint64_t top = 0xffff0000u;
    w.update(SequenceNumber{top});
    seen.insert(top);
    std::mt19937 rng(size + 1);
    for (int i = 0; i < 20000; ++i) {
      const int spread = static_cast<int>(size) * 2 + 4;
      const std::uint64_t truth =
          top + std::uniform_int_distribution<int>(-spread, spread / 2)(rng);
      const bool stale = truth <= top && top - truth >= size;
      const bool dup = seen.count(truth) != 0;
      auto got = w.check(static_cast<std::uint32_t>(truth));
      if (!stale && !dup) {
        ASSERT_TRUE(got) << "op " << i;
        ASSERT_EQ(got->value, truth) << "op " << i;
        w.update(*got);
        seen.insert(truth);
        top = std::max(top, truth);
      } else if (dup && !stale) {
        ASSERT_FALSE(got) << "op " << i;
      } else if (got) {
        ASSERT_NE(got->value, truth) << "op " << i;
      }
    }
    EXPECT_GT(top, 0x100000000u);  // the run crossed the wrap
  }
}

}  // namespace
}  // namespace vpnlab::esp
