#include "dataplane/core/packet_pool.hpp"

#include <gtest/gtest.h>

#include "dataplane/core/packet_batch.hpp"

namespace vpnlab::dataplane {
namespace {

TEST(PacketPool, AcquireUntilExhaustedThenReleaseByRaii) {
  PacketPool pool(3, 2048);
  EXPECT_EQ(pool.available(), 3u);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    ASSERT_TRUE(a && b && c);
    EXPECT_NE(a.get(), b.get());
    auto d = pool.acquire();
    EXPECT_FALSE(d);
    EXPECT_EQ(pool.exhausted(), 1u);
    EXPECT_EQ(pool.available(), 0u);
  }
  EXPECT_EQ(pool.available(), 3u);
}

TEST(PacketPool, BuffersAreResetWithHeadroom) {
  PacketPool pool(1, 2048, 100);
  {
    auto p = pool.acquire();
    p->push_back(10);
    p->peer.port = 4500;
    p->gso_size = 1400;
  }
  auto p = pool.acquire();
  EXPECT_EQ(p->headroom(), 100u);
  EXPECT_EQ(p->size(), 0u);
  EXPECT_EQ(p->peer.port, 0);
  EXPECT_EQ(p->gso_size, 0);
  EXPECT_EQ(p->tailroom(), 2048u - 100u);
}

TEST(PacketBuf, PushAndPullKeepBytesContiguous) {
  PacketPool pool(1, 256, 16);
  auto p = pool.acquire();
  auto body = p->push_back(4);
  ASSERT_EQ(body.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) body[i] = static_cast<std::uint8_t>(i + 1);
  auto hdr = p->push_front(8);
  ASSERT_EQ(hdr.size(), 8u);
  EXPECT_EQ(p->headroom(), 8u);
  EXPECT_EQ(p->size(), 12u);
  EXPECT_EQ(p->data()[8], 1);
  EXPECT_TRUE(p->pull_front(8));
  EXPECT_EQ(p->data()[0], 1);
  EXPECT_TRUE(p->trim(2));
  EXPECT_EQ(p->size(), 2u);
}

TEST(PacketBuf, OutOfRoomOperationsFailWithoutChange) {
  PacketPool pool(1, 64, 16);
  auto p = pool.acquire();
  EXPECT_TRUE(p->push_front(17).empty());
  EXPECT_TRUE(p->push_back(49).empty());
  EXPECT_FALSE(p->pull_front(1));
  EXPECT_FALSE(p->trim(1));
  EXPECT_EQ(p->headroom(), 16u);
  EXPECT_EQ(p->size(), 0u);
  EXPECT_FALSE(p->set_size(49));
  EXPECT_TRUE(p->set_size(48));
}

TEST(PacketBatch, BoundedPushAndCompactKeepsOrder) {
  PacketPool pool(8, 256);
  PacketBatch batch(4);
  for (int i = 0; i < 4; ++i) {
    auto p = pool.acquire();
    p->push_back(1)[0] = static_cast<std::uint8_t>(i);
    ASSERT_TRUE(batch.push(std::move(p)));
  }
  auto extra = pool.acquire();
  EXPECT_FALSE(batch.push(std::move(extra)));
  EXPECT_TRUE(extra);  // the caller still owns it
  extra.reset();
  batch.slot(1).reset();  // a stage dropped packet 1
  batch.compact();
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].data()[0], 0);
  EXPECT_EQ(batch[1].data()[0], 2);
  EXPECT_EQ(batch[2].data()[0], 3);
  EXPECT_EQ(pool.available(), 5u);
  batch.clear();
  EXPECT_EQ(pool.available(), 8u);
}

}  // namespace
}  // namespace vpnlab::dataplane
