// The HMAC wrapper (esp/integrity.hpp) against published vectors: RFC 2202 section 3
// (HMAC-SHA-1) and RFC 4231 section 4 (HMAC-SHA-256/384/512), then the ESP truncations of
// RFC 2404 (96 bits) and RFC 4868 2.3 (leftmost half), which are prefixes of those MACs.
#include <gtest/gtest.h>

#include "esp/integrity.hpp"
#include "esp_test_util.hpp"

namespace vpnlab::esp::test {
namespace {

struct MacCase {
  const char* name;
  IntegAlgorithm alg;
  Bytes key;
  std::string data;
  const char* mac;  // full HMAC output
};

Bytes repeat(std::uint8_t b, std::size_t n) {
  return Bytes(n, b);
}
Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::vector<MacCase> cases() {
  using A = IntegAlgorithm;
  return {
      // RFC 2202 3, test_case 1 / 2 / 5 (HMAC-SHA-1).
      {"rfc2202_1", A::hmac_sha1_96, repeat(0x0b, 20), "Hi There",
       "b617318655057264e28bc0b6fb378c8ef146be00"},
      {"rfc2202_2", A::hmac_sha1_96, text("Jefe"), "what do ya want for nothing?",
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {"rfc2202_5", A::hmac_sha1_96, repeat(0x0c, 20), "Test With Truncation",
       "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
      // RFC 4231 4.2, Test Case 1.
      {"rfc4231_1_sha256", A::hmac_sha2_256_128, repeat(0x0b, 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"rfc4231_1_sha384", A::hmac_sha2_384_192, repeat(0x0b, 20), "Hi There",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
       "faea9ea9076ede7f4af152e8b2fa9cb6"},
      {"rfc4231_1_sha512", A::hmac_sha2_512_256, repeat(0x0b, 20), "Hi There",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      // RFC 4231 4.3, Test Case 2 (key shorter than the block).
      {"rfc4231_2_sha256", A::hmac_sha2_256_128, text("Jefe"), "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"rfc4231_2_sha384", A::hmac_sha2_384_192, text("Jefe"), "what do ya want for nothing?",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
       "8e2240ca5e69e2c78b3239ecfab21649"},
      {"rfc4231_2_sha512", A::hmac_sha2_512_256, text("Jefe"), "what do ya want for nothing?",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      // Keys longer than the hash block are hashed first (RFC 2104 2): RFC 2202 3
      // test_case 6 (80-byte key) and RFC 4231 4.7, Test Case 6 (131-byte key).
      {"rfc2202_6", A::hmac_sha1_96, repeat(0xaa, 80),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
      {"rfc4231_6_sha256", A::hmac_sha2_256_128, repeat(0xaa, 131),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"rfc4231_6_sha384", A::hmac_sha2_384_192, repeat(0xaa, 131),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
       "0c2ef6ab4030fe8296248df163f44952"},
      {"rfc4231_6_sha512", A::hmac_sha2_512_256, repeat(0xaa, 131),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
  };
}

TEST(EspIntegrity, FullOutputMatchesPublishedVectors) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    auto h = Hmac::create(c.alg, c.key);
    ASSERT_TRUE(h);
    const Bytes want = hex(c.mac);
    ASSERT_EQ(h->digest_size(), want.size());
    Bytes out(want.size());
    // Twice: the context re-initializes from the stored key on every packet.
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(h->compute(text(c.data), {}, out));
      EXPECT_EQ(to_hex(out), to_hex(want));
    }
  }
}

TEST(EspIntegrity, EspIcvIsTheTruncatedPrefix) {
  // RFC 2404 2: 96 bits; RFC 4868 2.3: 128/192/256 bits. RFC 4231 4.6 (Test Case 5) shows
  // the 128-bit truncation of HMAC-SHA-256 over "Test With Truncation".
  const std::size_t expected_icv[] = {12, 12, 12, 16, 24, 32, 16, 24, 32, 12, 16, 24, 32};
  std::size_t i = 0;
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    auto h = Hmac::create(c.alg, c.key);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->icv_size(), expected_icv[i++]);
    const Bytes full = hex(c.mac);
    const Bytes icv(full.begin(), full.begin() + static_cast<long>(h->icv_size()));
    Bytes out(h->icv_size());
    ASSERT_TRUE(h->compute(text(c.data), {}, out));
    EXPECT_EQ(to_hex(out), to_hex(icv));
    EXPECT_TRUE(h->verify(text(c.data), {}, icv));
    Bytes bad = icv;
    bad[0] ^= 1;
    EXPECT_FALSE(h->verify(text(c.data), {}, bad));
  }
}

TEST(EspIntegrity, Rfc4231TruncationCase) {
  // RFC 4231 4.6, Test Case 5: HMAC-SHA-256 truncated to 128 bits.
  auto h = Hmac::create(IntegAlgorithm::hmac_sha2_256_128, repeat(0x0c, 20));
  ASSERT_TRUE(h);
  Bytes out(16);
  ASSERT_TRUE(h->compute(text("Test With Truncation"), {}, out));
  EXPECT_EQ(to_hex(out), "a3b6167473100ee06e0c796c2955552b");
}

TEST(EspIntegrity, SplitInputEqualsConcatenation) {
  // The ESN high bits are fed as a second part (RFC 4303 2.2.1).
  auto h = Hmac::create(IntegAlgorithm::hmac_sha2_256_128, repeat(0x0b, 20));
  ASSERT_TRUE(h);
  Bytes a(16), b(16);
  ASSERT_TRUE(h->compute(text("Hi "), text("There"), a));
  ASSERT_TRUE(h->compute(text("Hi There"), {}, b));
  EXPECT_EQ(a, b);
}

TEST(EspIntegrity, NoneIsRejected) {
  auto h = Hmac::create(IntegAlgorithm::none, repeat(1, 16));
  EXPECT_FALSE(h);
}

}  // namespace
}  // namespace vpnlab::esp::test
