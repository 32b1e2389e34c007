// TSO super-packet segmentation and partial-checksum completion (virtio_net_hdr.hpp), checked
// against the same segments built one by one with full checksums.

#include "dataplane/linux/virtio_net_hdr.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "packet_builders.hpp"

namespace vpnlab::dataplane {
namespace {

using testing::ip;
using testing::l4_checksum;

struct VectorSink final : SegmentSink {
  std::vector<Bytes> segments;
  std::size_t limit = 1000;
  std::uint8_t* segment(std::size_t length) override {
    if (segments.size() >= limit) return nullptr;
    segments.emplace_back(length);
    return segments.back().data();
  }
};

// A super-packet as the kernel hands it: one header, payload bytes 0, 1, 2, ... and the
// given flags; checksums are whatever (the splitter recomputes them).
Bytes super_packet(std::size_t payload, std::uint8_t flags) {
  Bytes p = testing::tcp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), flags, {}, payload);
  for (std::size_t i = 0; i < payload; ++i) p[40 + i] = static_cast<std::uint8_t>(i * 7);
  store_be16(&p[4], 100);  // identification
  return p;
}

// RFC 1071 one 16-bit word at a time, native order, odd byte padded with zero: the
// reference for the wide checksum_add.
std::uint16_t reference_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    std::uint16_t w;
    std::memcpy(&w, p + i, 2);
    sum += w;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  if (n % 2 != 0) {
    const std::uint8_t last[2] = {p[n - 1], 0};
    std::uint16_t w;
    std::memcpy(&w, last, 2);
    sum += w;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(sum);
}

TEST(VirtioNetHdr, ChecksumMatchesRfc1071AtEveryLengthAndAlignment) {
  Bytes data(4200);
  std::uint32_t x = 12345;
  for (auto& b : data) b = static_cast<std::uint8_t>((x = x * 1103515245 + 12345) >> 24);
  for (std::size_t i = 0; i < 64; ++i) data[100 + i] = 0xff;  // carries in every word
  for (std::size_t off = 0; off < 9; ++off) {
    for (std::size_t len = 0; len + off <= data.size(); len += len < 80 ? 1 : 37) {
      SCOPED_TRACE(::testing::Message() << "off=" << off << " len=" << len);
      const std::uint8_t* p = data.data() + off;
      // An all-zero sum and 0xffff are the same in one's complement; compare the classes.
      auto norm = [](std::uint16_t v) { return v == 0xffff ? std::uint16_t{0} : v; };
      ASSERT_EQ(norm(checksum_fold(checksum_add({p, len}))), norm(reference_checksum(p, len)));
      // Chained over an even split, as the pseudo-header then the segment are added.
      const std::size_t half = len / 4 * 2;
      ASSERT_EQ(norm(checksum_fold(checksum_add({p + half, len - half}, checksum_add({p, half})))),
                norm(reference_checksum(p, len)));
    }
  }
}

TEST(VirtioNetHdr, EncodeDecodeRoundTrip) {
  VirtioNetHdr h;
  h.flags = VirtioNetHdr::kNeedsCsum;
  h.gso_type = VirtioNetHdr::kGsoTcpV4;
  h.hdr_len = 52;
  h.gso_size = 1386;
  h.csum_start = 20;
  h.csum_offset = 16;
  std::uint8_t raw[kVirtioNetHdrLen];
  encode_vnet_hdr(h, raw);
  EXPECT_EQ(raw[4], 1386 & 0xff);  // little-endian fields
  VirtioNetHdr d = decode_vnet_hdr(raw);
  EXPECT_EQ(d.gso_size, 1386);
  EXPECT_EQ(d.csum_start, 20);
  EXPECT_EQ(d.csum_offset, 16);
  EXPECT_EQ(d.gso_type, VirtioNetHdr::kGsoTcpV4);
}

TEST(VirtioNetHdr, SplitsTcp4SuperPacketIntoValidSegments) {
  const std::uint8_t kAckPshFinCwr = 0x10 | 0x08 | 0x01 | 0x80;
  Bytes super = super_packet(3000, kAckPshFinCwr);
  VirtioNetHdr h;
  h.gso_type = VirtioNetHdr::kGsoTcpV4;
  h.gso_size = 1400;
  VectorSink sink;
  ASSERT_EQ(gso_split_tcp4(h, super, sink), 3);
  std::size_t expect_len[] = {1400, 1400, 200};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const Bytes& s = sink.segments[i];
    ASSERT_EQ(s.size(), 40 + expect_len[i]);
    EXPECT_EQ(load_be16(&s[2]), s.size());                      // total length
    EXPECT_EQ(load_be16(&s[4]), 100 + i);                       // identification
    EXPECT_EQ(testing::sum16(ByteSpan(s).first(20)), 0xffffu);  // IPv4 header checksum
    EXPECT_EQ(l4_checksum(s), 0);                               // TCP checksum verifies
    EXPECT_EQ(load_be32(&s[24]), 1000 + i * 1400);              // sequence number
    EXPECT_EQ(s[40], static_cast<std::uint8_t>(i * 1400 * 7));  // payload continues
    std::uint8_t flags = s[33];
    EXPECT_EQ((flags & 0x80) != 0, i == 0);  // CWR first only
    EXPECT_EQ((flags & 0x09) != 0, i == 2);  // FIN/PSH last only
    EXPECT_TRUE(flags & 0x10);               // ACK on all
  }
}

TEST(VirtioNetHdr, SplitStopsWhenSinkIsFullAndRejectsNonTcp) {
  VirtioNetHdr h;
  h.gso_type = VirtioNetHdr::kGsoTcpV4;
  h.gso_size = 500;
  VectorSink sink;
  sink.limit = 2;
  EXPECT_EQ(gso_split_tcp4(h, super_packet(3000, 0x10), sink), 2);
  Bytes udp = testing::udp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), 100);
  EXPECT_EQ(gso_split_tcp4(h, udp, sink), -1);
  Bytes truncated = super_packet(10, 0x10);
  truncated.resize(30);
  EXPECT_EQ(gso_split_tcp4(h, truncated, sink), -1);
}

TEST(VirtioNetHdr, SplitsUdp4SuperPacketIntoDatagrams) {
  Bytes super = testing::udp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), 64 * 3 + 10);
  VirtioNetHdr h;
  h.gso_type = VirtioNetHdr::kGsoUdpL4;
  h.gso_size = 64;
  VectorSink sink;
  ASSERT_EQ(gso_split_udp4(h, super, sink), 4);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const Bytes& d = sink.segments[i];
    std::size_t len = i < 3 ? 64 : 10;
    ASSERT_EQ(d.size(), 28 + len);
    EXPECT_EQ(load_be16(&d[2]), d.size());
    EXPECT_EQ(load_be16(&d[24]), 8 + len);  // UDP length
    EXPECT_EQ(testing::sum16(ByteSpan(d).first(20)), 0xffffu);
    EXPECT_EQ(l4_checksum(d), 0);
    EXPECT_EQ(d[28], super[28 + i * 64]);
  }
  Bytes tcp = super_packet(100, 0x10);
  EXPECT_EQ(gso_split_udp4(h, tcp, sink), -1);
}

TEST(VirtioNetHdr, FinishChecksumCompletesPseudoHeaderSum) {
  Bytes p = testing::udp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), 33);
  std::uint16_t good = load_be16(&p[26]);
  // What the kernel leaves with CHECKSUM_PARTIAL: the folded pseudo-header sum, not inverted.
  std::uint32_t pseudo = testing::sum16(ByteSpan(p).subspan(12, 8));
  pseudo += 17 + (p.size() - 20);
  while (pseudo >> 16) pseudo = (pseudo & 0xffff) + (pseudo >> 16);
  store_be16(&p[26], static_cast<std::uint16_t>(pseudo));
  VirtioNetHdr h;
  h.flags = VirtioNetHdr::kNeedsCsum;
  h.csum_start = 20;
  h.csum_offset = 6;
  ASSERT_TRUE(finish_checksum(h, p));
  EXPECT_EQ(load_be16(&p[26]), good);
  h.csum_start = 200;
  EXPECT_FALSE(finish_checksum(h, p));
}

// Consecutive segments of one flow, as a sender would emit them (DF, ACK, 1000-byte MSS).
std::vector<Bytes> flow_segments(std::size_t count, std::size_t last_len, std::uint8_t last_flags) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t len = i + 1 == count ? last_len : 1000;
    std::uint8_t flags = i + 1 == count ? last_flags : 0x10;
    Bytes p = testing::tcp4_packet(ip("10.2.0.2"), ip("10.1.0.2"), flags, {}, len);
    for (std::size_t k = 0; k < len; ++k) p[40 + k] = static_cast<std::uint8_t>(i + k);
    store_be16(&p[4], static_cast<std::uint16_t>(7 + i));             // identification
    store_be32(&p[24], static_cast<std::uint32_t>(1000 + i * 1000));  // sequence number
    testing::fix_ipv4_checksum(p);
    store_be16(&p[36], 0);
    store_be16(&p[36], testing::l4_checksum(p));
    out.push_back(p);
  }
  return out;
}

std::vector<std::span<const std::uint8_t>> views(const std::vector<Bytes>& v) {
  return {v.begin(), v.end()};
}

TEST(VirtioNetHdr, CoalesceThenSplitGivesBackTheSegments) {
  auto segs = flow_segments(4, 300, 0x18);  // the last is short and carries PSH
  std::vector<std::uint8_t> out(70000);
  VirtioNetHdr h;
  std::size_t len = 0;
  auto v = views(segs);
  ASSERT_EQ(coalesce_tcp4(v, out, h, len), 4u);
  EXPECT_EQ(len, 40u + 3000 + 300);
  EXPECT_EQ(h.gso_type, VirtioNetHdr::kGsoTcpV4);
  EXPECT_EQ(h.gso_size, 1000);
  EXPECT_EQ(h.hdr_len, 40);
  EXPECT_EQ(h.flags, VirtioNetHdr::kNeedsCsum);
  EXPECT_EQ(testing::sum16(ByteSpan(out.data(), 20)), 0xffffu);  // IPv4 header checksum
  // Completing the partial checksum gives a valid TCP checksum over the super-packet.
  Bytes super(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len));
  Bytes completed = super;
  ASSERT_TRUE(finish_checksum(h, completed));
  EXPECT_EQ(testing::l4_checksum(completed), 0);
  VectorSink sink;
  ASSERT_EQ(gso_split_tcp4(h, super, sink), 4);
  EXPECT_EQ(sink.segments, segs);
}

TEST(VirtioNetHdr, CoalesceUdpThenSplitGivesBackTheDatagrams) {
  std::vector<Bytes> dgrams;
  for (std::size_t i = 0; i < 5; ++i) {
    dgrams.push_back(testing::udp4_packet(ip("10.2.0.2"), ip("10.1.0.2"), i < 4 ? 64 : 20,
                                          static_cast<std::uint8_t>(i)));
    store_be16(&dgrams.back()[4], static_cast<std::uint16_t>(50 + i));  // identification
    testing::fix_ipv4_checksum(dgrams.back());
  }
  dgrams.push_back(testing::udp4_packet(ip("10.2.0.2"), ip("10.1.0.9"), 64));  // other flow
  std::vector<std::uint8_t> out(70000);
  VirtioNetHdr h;
  std::size_t len = 0;
  auto v = views(dgrams);
  ASSERT_EQ(coalesce_udp4(v, out, h, len), 5u);
  EXPECT_EQ(h.gso_type, VirtioNetHdr::kGsoUdpL4);
  EXPECT_EQ(h.gso_size, 64);
  Bytes super(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len));
  Bytes completed = super;
  ASSERT_TRUE(finish_checksum(h, completed));
  EXPECT_EQ(l4_checksum(completed), 0);
  VectorSink sink;
  ASSERT_EQ(gso_split_udp4(h, super, sink), 5);
  EXPECT_EQ(sink.segments, std::vector<Bytes>(dgrams.begin(), dgrams.begin() + 5));
}

TEST(VirtioNetHdr, CoalesceStopsAtFlowOrSequenceBreaks) {
  struct Case {
    const char* name;
    std::function<void(std::vector<Bytes>&)> change;
    std::size_t expect;
  };
  std::vector<Case> cases = {
      {"untouched", [](std::vector<Bytes>&) {}, 3},
      {"sequence gap", [](std::vector<Bytes>& s) { store_be32(&s[2][24], 99); }, 2},
      {"other port", [](std::vector<Bytes>& s) { s[1][21] ^= 1; }, 1},
      {"other ack", [](std::vector<Bytes>& s) { s[2][31] ^= 1; }, 2},
      {"psh in the middle", [](std::vector<Bytes>& s) { s[1][33] = 0x18; }, 2},
      {"syn first", [](std::vector<Bytes>& s) { s[0][33] = 0x12; }, 1},
      {"no DF", [](std::vector<Bytes>& s) { s[0][6] = 0; }, 1},
      {"longer than the first", [](std::vector<Bytes>& s) { s[1].push_back(0); }, 1},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto segs = flow_segments(3, 1000, 0x10);
    c.change(segs);
    std::vector<std::uint8_t> out(70000);
    VirtioNetHdr h;
    std::size_t len = 0;
    auto v = views(segs);
    EXPECT_EQ(coalesce_tcp4(v, out, h, len), c.expect);
  }
}

}  // namespace
}  // namespace vpnlab::dataplane

namespace vpnlab::dataplane {
namespace {

// RFC 1071: the 64-bit-word sum folds to the same 16-bit one's complement sum as adding
// big-endian 16-bit words one by one, for every length (odd tails too) and any start.
TEST(VirtioNetHdr, ChecksumAddMatchesTheWordByWordSum) {
  Bytes data(300);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 151 + 7);
  data[10] = data[11] = data[12] = 0xff;  // carries
  for (std::size_t start : {0u, 1u, 3u}) {
    for (std::size_t len = 0; len + start <= data.size(); len += 7) {
      ByteSpan b = ByteSpan(data).subspan(start, len);
      // checksum_add sums native words: compare the bytes as stored in the packet.
      const std::uint16_t got = checksum_fold(checksum_add(b));
      std::uint8_t got_bytes[2], ref_bytes[2];
      std::memcpy(got_bytes, &got, 2);
      store_be16(ref_bytes, static_cast<std::uint16_t>(testing::sum16(b)));
      EXPECT_EQ(got_bytes[0], ref_bytes[0]) << "start " << start << " len " << len;
      EXPECT_EQ(got_bytes[1], ref_bytes[1]) << "start " << start << " len " << len;
      // Summing in two even-length parts gives the same as at once.
      const std::size_t half = len / 2 & ~std::size_t{1};
      EXPECT_EQ(checksum_fold(checksum_add(b.subspan(half), checksum_add(b.first(half)))), got);
    }
  }
}

}  // namespace
}  // namespace vpnlab::dataplane
