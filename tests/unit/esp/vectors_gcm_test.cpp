// AES-GCM ESP packets from draft-mcgrew-gcm-test-01 section 4 ("Test Cases for the use of
// GCM and GMAC in IPsec ESP", March 2009). Each case gives key, SPI, sequence number,
// nonce (= 4-byte salt || 8-byte IV, RFC 4106 4), the plaintext including the ESP
// trailer, and the full ESP packet (SPI .. ICV). The plaintexts carry Next Header 1, so
// the SAs run in transport mode; the 64-bit sequence numbers are ESN SAs.
// Cases with SPI 0 (reserved, RFC 4303 2.1), 192-bit keys and GMAC are not used.
#include <gtest/gtest.h>

#include "esp/sa.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

struct GcmCase {
  const char* name;
  std::uint16_t key_bits;
  const char* key_and_salt;
  std::uint32_t spi;
  std::uint64_t seq;
  bool esn;
  const char* iv;
  const char* plaintext;  // payload | padding | pad length | next header
  const char* packet;
};

const GcmCase kCases[] = {
    // draft-mcgrew-gcm-test-01 p.6-7: 128-bit key, 64-bit (ESN) sequence number.
    {"p6_aes128_esn", 128, "4c80cdefbb5d10da906ac73c3613a634 2e443b68", 0x00004321,
     0x8765432100000000, true, "4956ed7e3b244cfe",
     "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
     "00000000045f736970045f756470037369700963796265726369747902646b00"
     "0021000101020201",
     "00004321000000004956ed7e3b244cfe"
     "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
     "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
     "61bc17d768fd9732459018148f6cbe722fd04796562dfdb4"},
    // draft-mcgrew-gcm-test-01 p.7: 128-bit key, 32-bit sequence number.
    {"p7_aes128", 128, "feffe9928665731c6d6a8f9467308308 cafebabe", 0x0000a5f8, 0x0a, false,
     "facedbaddecaf888",
     "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
     "0001000000000000037369700963796265726369747902646b00000100010001",
     "0000a5f80000000afacedbaddecaf888"
     "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c"
     "3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1"
     "83b70d3aa8bc6ee4c309e9d85a41ad4a"},
    // draft-mcgrew-gcm-test-01 p.8: 256-bit key, 32-bit sequence number.
    {"p8_aes256", 256, "abbccddef00112233445566778899aababbccddef00112233445566778899aab 11223344",
     0x4a2cbfe3, 2, false, "0102030405060708",
     "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
     "7002400020bf0000020405b40101040201020201",
     "4a2cbfe3000000020102030405060708"
     "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
     "748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c49"
     "15956c96"},
    // draft-mcgrew-gcm-test-01 p.10: 128-bit key, ESN.
    {"p10_aes128_esn", 128, "3de09874b388e6491988d0c3607eae1f 57690e43", 0x42f67e3f,
     0x1010101010101010, true, "4e280000a2fca1a3",
     "4500003c99c300008001cb7c40679318010101010800085c0200430061626364"
     "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
     "42f67e3f101010104e280000a2fca1a3"
     "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c357917"
     "65acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a"
     "e0d731cc978ecafaeae88f00e80d6e48"},
    // draft-mcgrew-gcm-test-01 p.12: 128-bit key, ESN, one pad byte.
    {"p12_aes128_esn", 128, "abbccddef00112233445566778899aab decaf888", 0x00000100, 1, true,
     "cafedebaceface74",
     "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5"
     "00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95"
     "9b6266c04722b14923010101",
     "0000010000000001cafedebaceface74"
     "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f"
     "9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c22"
     "6f2127b27db35724e7845d68651f57e65f354f75ff17015769623436"},
    // draft-mcgrew-gcm-test-01 p.13: 256-bit key, ESN.
    {"p13_aes256_esn", 256,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab 73616c74", 0x17405e67,
     0x156f3126dd0db99b, true, "616e640169766563",
     "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb712602"
     "50101f646d540001",
     "17405e67dd0db99b616e640169766563"
     "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57f"
     "f4d3a31ce673119e451626c2415771e3b7eebca614c89b35"},
    // draft-mcgrew-gcm-test-01 p.16: 128-bit key, sequence number 2^32-1, empty payload.
    {"p16_aes128_empty", 128, "7d773d00c144c525ac619d18c84a3f47 d9664267", 0x335467ae, 0xffffffff,
     false, "43457e9182443bc6", "01020201",
     "335467aeffffffff43457e9182443bc6437f866bcb3f699fe9b0822bac961c4504bef270"},
};

SaParams vector_params(const GcmCase& c, CryptoBackend backend) {
  SaParams p;
  p.backend = backend;
  p.spi = Spi{c.spi};
  p.suite = SuiteId{EncrAlgorithm::aes_gcm_16, c.key_bits, IntegAlgorithm::none};
  p.keys.encr_key = SecretBytes(hex(c.key_and_salt));
  p.esn = c.esn;
  p.mode = Mode::transport;
  return p;
}

TEST(EspGcmVectors, EncapProducesPublishedPacket) {
  for (CryptoBackend b : backends()) {
    for (const auto& c : kCases) {
      SCOPED_TRACE(testing::Message() << c.name << " " << crypto_backend_name(b));
      auto sa = OutboundSa::create(vector_params(c, b), std::make_unique<FixedIv>(hex(c.iv)));
      ASSERT_TRUE(sa) << sa.error().message();
      (*sa)->set_next_seq_for_test(SequenceNumber{c.seq});
      const Bytes plain = hex(c.plaintext);
      const std::size_t pad_len = plain[plain.size() - 2];
      const std::uint8_t nh = plain.back();
      Packet pkt(Bytes(plain.begin(), plain.end() - 2 - static_cast<long>(pad_len)));
      auto r = (*sa)->encap(pkt.buf, pkt.offset, pkt.length, nh);
      ASSERT_TRUE(r);
      EXPECT_EQ(to_hex(pkt.region(r->esp.offset, r->esp.length)), to_hex(hex(c.packet)));
      EXPECT_EQ(r->seq.value, c.seq);
    }
  }
}

TEST(EspGcmVectors, DecapRecoversPublishedPlaintext) {
  for (CryptoBackend b : backends()) {
    for (const auto& c : kCases) {
      SCOPED_TRACE(testing::Message() << c.name << " " << crypto_backend_name(b));
      auto sa = InboundSa::create(vector_params(c, b));
      ASSERT_TRUE(sa);
      // Put the window just below the vector's number so the ESN high half is inferred.
      (*sa)->advance_window_for_test(SequenceNumber{c.seq - 1});
      Bytes buf = hex(c.packet);
      auto r = (*sa)->decap(buf, 0, buf.size());
      ASSERT_TRUE(r) << to_string(r.error());
      const Bytes plain = hex(c.plaintext);
      const std::size_t payload = plain.size() - 2 - plain[plain.size() - 2];
      EXPECT_EQ(to_hex(Bytes(buf.begin() + r->inner.offset,
                             buf.begin() + r->inner.offset + r->inner.length)),
                to_hex(Bytes(plain.begin(), plain.begin() + payload)));
      EXPECT_EQ(r->next_header, plain.back());
      EXPECT_EQ(r->seq.value, c.seq);
    }
  }
}

TEST(EspGcmVectors, FlippedCiphertextBitFailsAuthentication) {
  const auto& c = kCases[2];
  for (CryptoBackend b : backends()) {
    SCOPED_TRACE(crypto_backend_name(b));
    auto sa = InboundSa::create(vector_params(c, b));
    ASSERT_TRUE(sa);
    for (std::size_t at : {std::size_t{20}, std::size_t{9}, hex(c.packet).size() - 1}) {
      Bytes buf = hex(c.packet);  // a ciphertext, an IV and a tag byte
      buf[at] ^= 0x01;
      auto r = (*sa)->decap(buf, 0, buf.size());
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), DropReason::auth_failed);
    }
    EXPECT_EQ((*sa)->stats().auth_failures, 3u);
  }
}

}  // namespace
}  // namespace vpnlab::esp::test
