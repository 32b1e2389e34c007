// The pcapng writer: blocks parsed back field by field (draft-ietf-opsawg-pcapng 3.1 block
// layout, 4.1 SHB, 4.2 IDB, 4.3 EPB, 4.6 ISB), then a file written with Writer read by
// tshark (the Debian package scripts/install-deps.sh installs).
#include "dataplane/linux/pcapng_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

#include "packet_builders.hpp"

#include "tests/unit/run_command.hpp"

namespace vpnlab::dataplane::pcapng {
namespace {

using testing::ip;

// A little-endian reader of one block: type, lengths, body, options.
struct ParsedBlock {
  std::uint32_t type = 0;
  Bytes body;                                   // between the two length fields
  std::multimap<std::uint16_t, Bytes> options;  // filled by parse_options
};

std::uint32_t le32(ByteSpan b, std::size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | std::uint32_t(b[at + 3]) << 24;
}
std::uint16_t le16(ByteSpan b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}

// Splits a file into blocks, checking both length fields and 32-bit alignment.
std::vector<ParsedBlock> blocks(ByteSpan file) {
  std::vector<ParsedBlock> out;
  std::size_t at = 0;
  while (at < file.size()) {
    EXPECT_GE(file.size() - at, 12u);
    std::uint32_t len = le32(file, at + 4);
    EXPECT_EQ(len % 4, 0u) << "block at " << at;
    EXPECT_LE(at + len, file.size());
    EXPECT_EQ(le32(file, at + len - 4), len) << "trailing length of block at " << at;
    ParsedBlock b;
    b.type = le32(file, at);
    b.body.assign(file.begin() + at + 8, file.begin() + at + len - 4);
    out.push_back(std::move(b));
    at += len;
  }
  return out;
}

// Options from `from` on: code, length, value padded to 32 bits, ending with opt_endofopt.
void parse_options(ParsedBlock& b, std::size_t from) {
  std::size_t at = from;
  while (at + 4 <= b.body.size()) {
    std::uint16_t code = le16(b.body, at), len = le16(b.body, at + 2);
    if (code == 0) {
      EXPECT_EQ(len, 0);
      EXPECT_EQ(at + 4, b.body.size()) << "opt_endofopt is last";
      return;
    }
    b.options.emplace(code, Bytes(b.body.begin() + at + 4, b.body.begin() + at + 4 + len));
    at += 4 + (len + 3) / 4 * 4;
  }
  ADD_FAILURE() << "options without opt_endofopt";
}

std::string text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

TEST(Pcapng, SectionHeaderSaysVersionOneLittleEndianUnknownLength) {
  auto b = blocks(encode_section_header("vpnlab capture"));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].type, kBlockShb);
  EXPECT_EQ(le32(b[0].body, 0), kByteOrderMagic);  // 4D 3C 2B 1A on the wire
  EXPECT_EQ(b[0].body[0], 0x4D);
  EXPECT_EQ(le16(b[0].body, 4), 1);                            // major
  EXPECT_EQ(le16(b[0].body, 6), 0);                            // minor
  for (int i = 8; i < 16; ++i) EXPECT_EQ(b[0].body[i], 0xFF);  // section length -1
  parse_options(b[0], 16);
  EXPECT_EQ(text(b[0].options.find(4)->second), "vpnlab capture");  // shb_userappl
}

TEST(Pcapng, InterfaceHasRawLinkTypeNameAndNanosecondResolution) {
  auto b = blocks(encode_interface({"wan", "aws-vgw internet link", kLinkTypeRaw, 65535}));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].type, kBlockIdb);
  EXPECT_EQ(le16(b[0].body, 0), 101);  // LINKTYPE_RAW
  EXPECT_EQ(le32(b[0].body, 4), 65535u);
  parse_options(b[0], 8);
  EXPECT_EQ(text(b[0].options.find(2)->second), "wan");                    // if_name
  EXPECT_EQ(text(b[0].options.find(3)->second), "aws-vgw internet link");  // if_description
  EXPECT_EQ(b[0].options.find(9)->second, Bytes{9});                       // if_tsresol
}

TEST(Pcapng, EnhancedPacketKeepsBytesTimeLengthsAndDirection) {
  Bytes pkt = testing::udp4_packet(ip("10.1.0.4"), ip("10.2.0.4"), 13);  // 41 bytes: padded
  Packet p{1, 0x0001'0002'0003'0004ull, pkt, 1500, Direction::outbound};
  auto b = blocks(encode_packet(p));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].type, kBlockEpb);
  EXPECT_EQ(le32(b[0].body, 0), 1u);           // interface id
  EXPECT_EQ(le32(b[0].body, 4), 0x00010002u);  // timestamp high
  EXPECT_EQ(le32(b[0].body, 8), 0x00030004u);  // timestamp low
  EXPECT_EQ(le32(b[0].body, 12), pkt.size());  // captured length
  EXPECT_EQ(le32(b[0].body, 16), 1500u);       // original length
  EXPECT_EQ(Bytes(b[0].body.begin() + 20, b[0].body.begin() + 20 + pkt.size()), pkt);
  parse_options(b[0], 20 + (pkt.size() + 3) / 4 * 4);
  EXPECT_EQ(b[0].options.find(2)->second, (Bytes{2, 0, 0, 0}));  // epb_flags: outbound

  auto plain = blocks(encode_packet({0, 5, pkt, 41, Direction::unknown}));
  EXPECT_EQ(plain[0].body.size(), 20 + 44u) << "no options, no opt_endofopt";
}

TEST(Pcapng, StatisticsCarryReceivedAndDropped) {
  auto b = blocks(encode_statistics({0, 42, 1000, 3}));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].type, kBlockIsb);
  parse_options(b[0], 12);
  auto u64 = [](const Bytes& v) { return le32(v, 0) | std::uint64_t(le32(v, 4)) << 32; };
  EXPECT_EQ(u64(b[0].options.find(4)->second), 1000u);  // isb_ifrecv
  EXPECT_EQ(u64(b[0].options.find(5)->second), 3u);     // isb_ifdrop
}

std::string run(const std::string& cmd) {
  return vpnlab::testing::run_command(cmd);
}

TEST(Pcapng, WriterFileIsPrivateAndTsharkReadsIt) {
  if (run("command -v tshark").empty())
    GTEST_SKIP() << "tshark not installed (scripts/install-deps.sh)";
  std::string path = "/tmp/vpnlab-pcapng-test-" + std::to_string(::getpid()) + ".pcapng";
  {
    auto w = Writer::create(path, 0600, "vpnlab test");
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_EQ(*w->add_interface({"wan", "outer", kLinkTypeRaw, 65535}), 0u);
    ASSERT_EQ(*w->add_interface({"aws0t1", "inner", kLinkTypeRaw, 65535}), 1u);
    Bytes a = testing::udp4_packet(ip("198.51.100.10"), ip("203.0.113.10"), 20);
    Bytes b = testing::udp4_packet(ip("10.1.0.4"), ip("10.2.0.4"), 3);
    ASSERT_TRUE(w->write(Packet{0, 1'700'000'000'123'456'789ull, a,
                                static_cast<std::uint32_t>(a.size()), Direction::inbound}));
    ASSERT_TRUE(w->write(Packet{1, 1'700'000'001'000'000'000ull, b,
                                static_cast<std::uint32_t>(b.size()), Direction::outbound}));
    ASSERT_TRUE(w->write(Statistics{0, 1'700'000'002'000'000'000ull, 2, 0}));
    ASSERT_TRUE(w->close());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream f(path, std::ios::binary);
  Bytes file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto b = blocks(file);
  ASSERT_EQ(b.size(), 6u);  // SHB, 2 IDB, 2 EPB, ISB
  EXPECT_EQ(b[5].type, kBlockIsb);

  std::string out = run("tshark -r " + path +
                        " -T fields -E separator=: -e frame.interface_name -e frame.time_epoch"
                        " -e ip.src -e ip.dst -e frame.packet_flags_direction");
  ::unlink(path.c_str());
  EXPECT_NE(out.find("wan:1700000000.123456789:198.51.100.10:203.0.113.10:0x00000001"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("aws0t1:1700000001.000000000:10.1.0.4:10.2.0.4:0x00000002"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace vpnlab::dataplane::pcapng
