#include "dataplane/core/control_queue.hpp"

#include <gtest/gtest.h>

namespace vpnlab::dataplane {
namespace {

TEST(ControlQueue, BoundedDropsAndCountsWhenFull) {
  ControlQueue q(2);
  int wakes = 0;
  q.set_wakeup([&] { ++wakes; });
  Endpoint local{Ipv4Address{1}, 4500}, remote{Ipv4Address{2}, 4500};
  Bytes m{1, 2, 3};
  EXPECT_TRUE(q.push(local, remote, m));
  EXPECT_TRUE(q.push(local, remote, m));
  EXPECT_FALSE(q.push(local, remote, m));
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(wakes, 1);  // only the empty -> non-empty transition wakes the control thread
  auto got = q.drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, m);
  EXPECT_EQ(got[0].remote, remote);
  EXPECT_TRUE(q.push(local, remote, m));
  EXPECT_EQ(wakes, 2);
}

}  // namespace
}  // namespace vpnlab::dataplane
