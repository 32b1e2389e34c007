// Wireshark's ESP SA and IKEv2 decryption tables as `vpnlab capture` writes them
// (topology/wireshark_keys.hpp): exact lines, the "keys" JSON round trip, and tshark 4.0
// itself: it loads every table line without "Error loading table" and decrypts ESP packets
// sealed by esp/ (AES-256-GCM-16 and AES-256-CBC + HMAC-SHA-256-128) with them - and
// cannot without them.
#include "topology/wireshark_keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "dataplane/linux/pcapng_writer.hpp"
#include "esp/overhead.hpp"
#include "esp/sa.hpp"

#include "tests/unit/run_command.hpp"

namespace vpnlab::topology {
namespace {

SecretBytes pattern(std::size_t n, std::uint8_t start) {
  std::vector<std::uint8_t> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i);
  return SecretBytes(std::span<const std::uint8_t>(b));
}

EspSaKeys esp_keys(esp::SuiteId s, std::uint32_t spi) {
  EspSaKeys e;
  e.tunnel = "aws0t1";
  e.src = *Ipv4Address::parse("198.51.100.10");
  e.dst = *Ipv4Address::parse("203.0.113.10");
  e.spi = spi;
  e.peer_spi = spi + 1;
  e.encr = s.encr;
  e.key_bits = s.key_bits;
  e.integ = s.integ;
  e.encr_key = pattern(esp::encr_keymat_size(s), 0x10);
  e.integ_key = pattern(esp::integ_keymat_size(s.integ), 0xa0);
  return e;
}

IkeSaKeys ike_keys(esp::SuiteId s) {
  IkeSaKeys i;
  i.tunnel = "aws0t1";
  i.spi_i = 0x1a3266bfde747284;
  i.spi_r = 0xd360477b12e9c585;
  i.encr = s.encr;
  i.key_bits = s.key_bits;
  i.integ = s.integ;
  i.sk_ei = pattern(esp::encr_keymat_size(s), 1);
  i.sk_er = pattern(esp::encr_keymat_size(s), 2);
  i.sk_ai = pattern(esp::integ_keymat_size(s.integ), 3);
  i.sk_ar = pattern(esp::integ_keymat_size(s.integ), 4);
  return i;
}

constexpr esp::SuiteId kGcm256{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
constexpr esp::SuiteId kCbc256Sha256{esp::EncrAlgorithm::aes_cbc, 256,
                                     esp::IntegAlgorithm::hmac_sha2_256_128};
constexpr esp::SuiteId kCbc128Sha1{esp::EncrAlgorithm::aes_cbc, 128,
                                   esp::IntegAlgorithm::hmac_sha1_96};

TEST(WiresharkKeys, EspLineForCbcSha1) {
  auto line = esp_sa_line(esp_keys(kCbc128Sha1, 0xc8b1ece6));
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(*line,
            "\"IPv4\",\"198.51.100.10\",\"203.0.113.10\",\"0xc8b1ece6\",\"AES-CBC [RFC3602]\","
            "\"0x101112131415161718191a1b1c1d1e1f\",\"HMAC-SHA-1-96 [RFC2404]\","
            "\"0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3\"");
}

TEST(WiresharkKeys, EspLineForGcmHasKeyAndSaltAndNullAuthentication) {
  auto line = esp_sa_line(esp_keys(kGcm256, 0x00000300));
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(*line,
            "\"IPv4\",\"198.51.100.10\",\"203.0.113.10\",\"0x00000300\","
            "\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x" +
                to_hex(pattern(36, 0x10).expose()) + "\",\"NULL\",\"0x\"");
}

TEST(WiresharkKeys, Ikev2LineHasBareHexAndNamedAlgorithms) {
  auto line = ikev2_line(ike_keys(kCbc128Sha1));
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(*line, "1a3266bfde747284,d360477b12e9c585," + to_hex(pattern(16, 1).expose()) + "," +
                       to_hex(pattern(16, 2).expose()) + ",\"AES-CBC-128 [RFC3602]\"," +
                       to_hex(pattern(20, 3).expose()) + "," + to_hex(pattern(20, 4).expose()) +
                       ",\"HMAC_SHA1_96 [RFC2404]\"");
  auto gcm = ikev2_line(ike_keys(kGcm256));
  ASSERT_TRUE(gcm);
  EXPECT_NE(gcm->find(",\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\""),
            std::string::npos)
      << *gcm;
}

TEST(WiresharkKeys, ChaChaHasNoEntryInWireshark40sEspTable) {
  esp::SuiteId chacha{esp::EncrAlgorithm::chacha20_poly1305, 256, esp::IntegAlgorithm::none};
  auto line = esp_sa_line(esp_keys(chacha, 0x1234));
  ASSERT_FALSE(line);
  EXPECT_NE(line.error().message.find("0x00001234"), std::string::npos);
  EXPECT_NE(line.error().message.find("ChaCha20-Poly1305"), std::string::npos);
}

TEST(WiresharkKeys, JsonRoundTripAndErrorsNameTheFieldNotTheKey) {
  SaKeySet set;
  set.esp.push_back(esp_keys(kCbc256Sha256, 0x1000));
  set.ike.push_back(ike_keys(kGcm256));
  auto back = key_set_from_json(to_json(set));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->esp.size(), 1u);
  EXPECT_EQ(*esp_sa_line(back->esp[0]), *esp_sa_line(set.esp[0]));
  EXPECT_EQ(back->esp[0].peer_spi, 0x1001u);
  EXPECT_EQ(*ikev2_line(back->ike[0]), *ikev2_line(set.ike[0]));

  auto j = to_json(set);
  j["esp"][0]["encr_key"] = "zz" + j["esp"][0]["encr_key"].get<std::string>();
  auto bad = key_set_from_json(j);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "keys.esp[0].encr_key: not hexadecimal");
  j = to_json(set);
  j["ike"][0].erase("spi_r");
  EXPECT_EQ(key_set_from_json(j).error().message, "keys.ike[0].spi_r: missing");
}

TEST(WiresharkKeys, MergeKeepsSasRemovedSinceTheLastSnapshot) {
  SaKeySet a, b;
  a.esp.push_back(esp_keys(kGcm256, 0x1000));
  b.esp.push_back(esp_keys(kGcm256, 0x1000));
  b.esp.push_back(esp_keys(kGcm256, 0x2000));
  b.ike.push_back(ike_keys(kCbc128Sha1));
  a.merge(b);
  a.merge(b);
  EXPECT_EQ(a.esp.size(), 2u);
  EXPECT_EQ(a.ike.size(), 1u);
}

// ---- tshark -------------------------------------------------------------------------------

std::string run(const std::string& cmd) {
  return vpnlab::testing::run_command(cmd);
}

// One's complement sum (RFC 1071).
std::uint16_t checksum(ByteSpan b) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) s += std::uint32_t(b[i] << 8 | b[i + 1]);
  if (b.size() % 2) s += std::uint32_t(b.back() << 8);
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<std::uint16_t>(~s);
}

Bytes ipv4(Ipv4Address src, Ipv4Address dst, std::uint8_t proto, ByteSpan payload) {
  Bytes p;
  ByteWriter w(p);
  w.u8(0x45);
  w.u8(0);
  w.u16(static_cast<std::uint16_t>(20 + payload.size()));
  w.u16(1);
  w.u16(0x4000);
  w.u8(64);
  w.u8(proto);
  w.u16(0);
  w.u32(src.value);
  w.u32(dst.value);
  std::uint16_t c = checksum(p);
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c);
  w.bytes(payload);
  return p;
}

// VNet VM -> VPC host ICMP echo request (RFC 792), the packet the tunnel carries.
Bytes icmp_echo() {
  Bytes icmp = {8, 0, 0, 0, 0x12, 0x34, 0, 1};
  for (int i = 0; i < 32; ++i) icmp.push_back(static_cast<std::uint8_t>(i));
  std::uint16_t c = checksum(icmp);
  icmp[2] = static_cast<std::uint8_t>(c >> 8);
  icmp[3] = static_cast<std::uint8_t>(c);
  return ipv4(*Ipv4Address::parse("10.1.0.4"), *Ipv4Address::parse("10.2.0.4"), 1, icmp);
}

// The outer packet: the echo request sealed by esp/ with `keys`, in raw ESP (protocol 50).
Bytes sealed(const EspSaKeys& keys) {
  esp::SaParams p;
  p.spi = esp::Spi{keys.spi};
  p.suite = {keys.encr, keys.key_bits, keys.integ};
  p.keys.encr_key = keys.encr_key;
  p.keys.integ_key = keys.integ_key;
  auto sa = esp::OutboundSa::create(p);
  EXPECT_TRUE(sa);
  Bytes inner = icmp_echo();
  auto o = esp::overhead(p.suite);
  Bytes buf(o.headroom + inner.size() + esp::tailroom_for(o, inner.size()));
  std::copy(inner.begin(), inner.end(), buf.begin() + o.headroom);
  auto r = (*sa)->encap(buf, o.headroom, inner.size(), esp::kNextHeaderIpv4);
  EXPECT_TRUE(r);
  ByteSpan esp_bytes(buf.data() + r->esp.offset, r->esp.length);
  return ipv4(keys.src, keys.dst, 50, esp_bytes);
}

class Tshark : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v tshark").empty()) GTEST_SKIP() << "tshark not installed";
    dir_ = "/tmp/vpnlab-wskeys-" + std::to_string(::getpid());
    ::mkdir(dir_.c_str(), 0700);
    ::mkdir((dir_ + "/keys").c_str(), 0700);
    ::mkdir((dir_ + "/none").c_str(), 0700);
  }
  void TearDown() override {
    if (!dir_.empty()) run("rm -rf " + dir_);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/keys/" + name) << text;
  }
  std::string capture(const std::vector<Bytes>& packets) {
    std::string path = dir_ + "/c.pcapng";
    auto w = dataplane::pcapng::Writer::create(path, 0600, "test");
    EXPECT_TRUE(w);
    EXPECT_TRUE(w->add_interface({"wan", "", dataplane::pcapng::kLinkTypeRaw, 0}));
    std::uint64_t t = 1'700'000'000'000'000'000ull;
    for (const auto& p : packets) {
      EXPECT_TRUE(w->write(dataplane::pcapng::Packet{0, t++, p, std::uint32_t(p.size()), {}}));
    }
    EXPECT_TRUE(w->close());
    return path;
  }
  std::string tshark(const std::string& config, const std::string& args) {
    return run("WIRESHARK_CONFIG_DIR=" + dir_ + "/" + config + " tshark " + args);
  }
  std::string dir_;
};

TEST_F(Tshark, DecryptsEspSealedByOurSuitesAndOnlyWithTheKeys) {
  EspSaKeys gcm = esp_keys(kGcm256, 0x1000), cbc = esp_keys(kCbc256Sha256, 0x2000);
  write("esp_sa", *esp_sa_line(gcm) + "\n" + *esp_sa_line(cbc) + "\n");
  write("preferences",
        "esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n");
  std::string file = capture({sealed(gcm), sealed(cbc)});
  std::string fields = " -T fields -E separator=: -e esp.spi -e icmp.type -e ip.dst";
  std::string out = tshark("keys", "-r " + file + " -Y icmp" + fields);
  EXPECT_EQ(out.find("Error"), std::string::npos) << out;
  EXPECT_NE(out.find("0x00001000:8:203.0.113.10,10.2.0.4"), std::string::npos) << out;
  EXPECT_NE(out.find("0x00002000:8:203.0.113.10,10.2.0.4"), std::string::npos) << out;
  // HMAC-SHA-256-128 checked by Wireshark against our ICV.
  EXPECT_NE(
      tshark("keys", "-r " + file + " -Y esp.icv_good==1 -T fields -e esp.spi").find("0x00002000"),
      std::string::npos);
  EXPECT_EQ(tshark("none", "-r " + file + " -Y icmp" + fields).find(":8:"), std::string::npos);
}

TEST_F(Tshark, LoadsEveryTableLineWeWrite) {
  std::string esp, ike;
  std::uint32_t spi = 0x100;
  for (auto encr : {esp::EncrAlgorithm::aes_cbc, esp::EncrAlgorithm::aes_gcm_16}) {
    for (std::uint16_t bits : {128, 256}) {
      for (auto integ :
           {esp::IntegAlgorithm::hmac_sha1_96, esp::IntegAlgorithm::hmac_sha2_256_128,
            esp::IntegAlgorithm::hmac_sha2_384_192, esp::IntegAlgorithm::hmac_sha2_512_256}) {
        esp::SuiteId s{encr, bits,
                       encr == esp::EncrAlgorithm::aes_cbc ? integ : esp::IntegAlgorithm::none};
        esp += *esp_sa_line(esp_keys(s, spi++)) + "\n";
        auto i = ike_keys(s);
        i.spi_i = spi;
        ike += *ikev2_line(i) + "\n";
      }
    }
  }
  write("esp_sa", esp);
  write("ikev2_decryption_table", ike);
  std::string file = capture({icmp_echo()});
  std::string out = tshark("keys", "-r " + file);
  EXPECT_EQ(out.find("Error loading table"), std::string::npos) << out;
  // The check can fail: a GCM SK_ei without its salt is refused by Wireshark.
  auto short_key = ike_keys(kGcm256);
  short_key.sk_ei = pattern(32, 1);
  write("ikev2_decryption_table", *ikev2_line(short_key) + "\n");
  EXPECT_NE(tshark("keys", "-r " + file).find("Error loading table"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::topology
