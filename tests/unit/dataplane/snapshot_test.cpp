#include "dataplane/core/snapshot.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vpnlab::dataplane {
namespace {

struct Counted {
  explicit Counted(int v, std::atomic<int>* live) : value(v), live_(live) { ++*live_; }
  ~Counted() { --*live_; }
  int value;
  std::atomic<int>* live_;
};

TEST(SnapshotCell, ReaderKeepsPinnedSnapshotUntilItLeaves) {
  std::atomic<int> live{0};
  SnapshotCell<Counted> cell(std::make_unique<Counted>(1, &live), 2);
  int r = cell.register_reader();
  ASSERT_GE(r, 0);
  const Counted* pinned = cell.enter(r);
  EXPECT_EQ(pinned->value, 1);

  cell.publish(std::make_unique<Counted>(2, &live));
  EXPECT_EQ(live.load(), 2);  // the old one is still pinned
  EXPECT_EQ(pinned->value, 1);
  EXPECT_EQ(cell.retired_count(), 1u);

  cell.leave(r);
  cell.reclaim();
  EXPECT_EQ(live.load(), 1);
  EXPECT_EQ(cell.retired_count(), 0u);
  EXPECT_EQ(cell.enter(r)->value, 2);
}

TEST(SnapshotCell, ReEnterReleasesOlderSnapshot) {
  std::atomic<int> live{0};
  SnapshotCell<Counted> cell(std::make_unique<Counted>(1, &live), 1);
  int r = cell.register_reader();
  cell.enter(r);
  cell.publish(std::make_unique<Counted>(2, &live));
  EXPECT_EQ(cell.enter(r)->value, 2);  // the next batch sees the new table
  cell.reclaim();
  EXPECT_EQ(live.load(), 1);
}

TEST(SnapshotCell, IdleReadersDoNotDelayReclaim) {
  std::atomic<int> live{0};
  SnapshotCell<Counted> cell(std::make_unique<Counted>(1, &live), 4);
  cell.register_reader();
  cell.publish(std::make_unique<Counted>(2, &live));
  EXPECT_EQ(live.load(), 1);
  EXPECT_EQ(cell.register_reader(), 1);
  cell.register_reader();
  cell.register_reader();
  EXPECT_EQ(cell.register_reader(), -1);
}

// Readers never see a freed snapshot while a writer keeps swapping (run under ASan in CI).
TEST(SnapshotCell, ConcurrentReadersSeeOnlyLiveSnapshots) {
  std::atomic<int> live{0};
  SnapshotCell<Counted> cell(std::make_unique<Counted>(0, &live), 2);
  std::atomic<bool> stop{false};
  std::atomic<long> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    int slot = cell.register_reader();
    readers.emplace_back([&, slot] {
      int last = 0;
      while (!stop.load()) {
        const Counted* c = cell.enter(slot);
        if (c->value < last) ++bad;  // snapshots only move forward
        last = c->value;
        cell.leave(slot);
      }
    });
  }
  for (int i = 1; i <= 2000; ++i) cell.publish(std::make_unique<Counted>(i, &live));
  stop = true;
  for (auto& t : readers) t.join();
  cell.reclaim();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(live.load(), 1);
}

}  // namespace
}  // namespace vpnlab::dataplane
