#include "base/bytes.hpp"

#include <gtest/gtest.h>

namespace vpnlab {
namespace {

TEST(ByteReader, ReadsBigEndianFieldsAndTracksOffset) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(data, 100);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.offset(), 103u);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ShortReadFailsAndDoesNotAdvance) {
  const Bytes data = {0xaa, 0xbb, 0xcc};
  ByteReader r(data);
  EXPECT_FALSE(r.u32().has_value());
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_EQ(r.u24(), 0xaabbccu);
  EXPECT_FALSE(r.u8().has_value());
  EXPECT_FALSE(r.bytes(1).has_value());
}

TEST(ByteReader, SubReaderKeepsAbsoluteOffsets) {
  const Bytes data = {0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
  ByteReader r(data);
  ASSERT_TRUE(r.skip(3));
  auto sub = r.sub(2);
  ASSERT_TRUE(sub.has_value());
  EXPECT_EQ(sub->offset(), 3u);
  EXPECT_EQ(sub->u16(), 0xdeadu);
  EXPECT_EQ(r.offset(), 5u);
  EXPECT_FALSE(r.sub(3).has_value());
}

TEST(ByteWriter, WritesAndPatches) {
  Bytes out;
  ByteWriter w(out);
  w.u8(0x01);
  w.u16(0);
  w.u32(0xa1b2c3d4);
  w.patch_u16(1, 0xbeef);
  EXPECT_EQ(to_hex(out), "01beefa1b2c3d4");
}

TEST(SpanWriter, OverflowIsStickyAndWritesNothing) {
  std::uint8_t buf[3] = {};
  SpanWriter w(buf);
  w.u16(0x1234);
  w.u16(0x5678);
  EXPECT_TRUE(w.overflowed());
  EXPECT_EQ(w.size(), 2u);
  EXPECT_EQ(buf[2], 0);
}

TEST(Hex, RoundTripAndRejectsBadInput) {
  auto b = from_hex("00 ff:10\nAb");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(to_hex(*b), "00ff10ab");
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

}  // namespace
}  // namespace vpnlab
