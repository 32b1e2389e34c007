// AES-CBC (esp/aes_cbc.hpp) against RFC 3602 section 4, cases #1-#3 (128-bit keys), in
// both directions, in place.
#include <gtest/gtest.h>

#include "esp/aes_cbc.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

struct CbcCase {
  const char* name;
  const char* key;
  const char* iv;
  Bytes plain;
  const char* cipher;
};

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::vector<CbcCase> cases() {
  return {
      // RFC 3602 4, Case #1: 16 bytes (1 block).
      {"case1", "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
       text("Single block msg"), "e353779c1079aeb82708942dbe77181a"},
      // RFC 3602 4, Case #2: 32 bytes (2 blocks).
      {"case2", "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
       hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
       "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"},
      // RFC 3602 4, Case #3: 48 bytes (3 blocks).
      {"case3", "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
       text("This is a 48-byte message (exactly 3 AES blocks)"),
       "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
       "021c19216bad525c8579695d83ba2684"},
  };
}

TEST(EspAesCbc, Rfc3602EncryptAndDecrypt) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    auto enc = AesCbc::create(hex(c.key), true);
    auto dec = AesCbc::create(hex(c.key), false);
    ASSERT_TRUE(enc && dec);
    // Twice each: the key schedule is kept, only the IV is set per call.
    for (int round = 0; round < 2; ++round) {
      Bytes data = c.plain;
      ASSERT_TRUE(enc->run(hex(c.iv), data));
      EXPECT_EQ(to_hex(data), to_hex(hex(c.cipher)));
      ASSERT_TRUE(dec->run(hex(c.iv), data));
      EXPECT_EQ(data, c.plain);
    }
  }
}

TEST(EspAesCbc, RejectsPartialBlocksAndBadKeys) {
  auto enc = AesCbc::create(hex("06a9214036b8a15b512e03d534120006"), true);
  ASSERT_TRUE(enc);
  Bytes data(15);
  EXPECT_FALSE(enc->run(Bytes(16), data));
  EXPECT_FALSE(AesCbc::create(Bytes(24), true));
}

}  // namespace
}  // namespace vpnlab::esp::test
