// PRFs against published HMAC vectors, prf+ and IKE/CHILD key derivation against vectors
// computed independently with Python's hmac/hashlib (RFC 7296 2.13/2.14/2.17 formulas; the
// script is reproduced in the comment of each vector).

#include <gtest/gtest.h>

#include "ike/core/keymat.hpp"
#include "ike/core/prf.hpp"

namespace vpnlab::ike {
namespace {

Bytes hex(std::string_view s) {
  return *from_hex(s);
}
std::string hex_of(const SecretBytes& s) {
  return to_hex(s.expose());
}
ByteSpan text(std::string_view s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// RFC 4231 4.2 (Test Case 1) and 4.3 (Test Case 2); RFC 2202 3 test cases 1-2 for SHA-1.
TEST(Prf, PublishedHmacVectors) {
  struct Case {
    const char* name;
    PrfAlgorithm alg;
    Bytes key;
    std::string data;
    const char* mac;
  };
  Bytes k1(20, 0x0b);
  Bytes jefe = {'J', 'e', 'f', 'e'};
  std::vector<Case> cases = {
      {"RFC 2202 tc1 SHA-1", PrfAlgorithm::hmac_sha1, k1, "Hi There",
       "b617318655057264e28bc0b6fb378c8ef146be00"},
      {"RFC 2202 tc2 SHA-1", PrfAlgorithm::hmac_sha1, jefe, "what do ya want for nothing?",
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {"RFC 4231 tc1 SHA-256", PrfAlgorithm::hmac_sha2_256, k1, "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"RFC 4231 tc1 SHA-384", PrfAlgorithm::hmac_sha2_384, k1, "Hi There",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2f"
       "a9cb6"},
      {"RFC 4231 tc1 SHA-512", PrfAlgorithm::hmac_sha2_512, k1, "Hi There",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea"
       "3f4e4be9d914eeb61f1702e696c203a126854"},
      {"RFC 4231 tc2 SHA-256", PrfAlgorithm::hmac_sha2_256, jefe, "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(hex_of(prf(c.alg, c.key, text(c.data))), c.mac);
  }
}

// RFC 4868 2.6 truncation: HMAC-SHA-256-128 is the first 16 octets of RFC 4231 tc1.
TEST(Prf, IntegrityMacIsTruncated) {
  Bytes mac = integ_mac(12, Bytes(20, 0x0b), text("Hi There"));
  EXPECT_EQ(to_hex(mac), "b0344c61d8db38535ca8afceaf0bf12b");
  EXPECT_EQ(integ_icv_size(2), 12u);
  EXPECT_EQ(integ_icv_size(14), 32u);
}

// Python: out=b'';t=b'';i=1
//   while len(out)<100: t=hmac.new(bytes(range(32)), t+b"vpnlab prf+ seed"+bytes([i]),
//   sha256).digest(); out+=t; i+=1
TEST(Prf, PrfPlusMatchesIndependentImplementation) {
  Bytes key;
  for (int i = 0; i < 32; ++i) key.push_back(static_cast<std::uint8_t>(i));
  SecretBytes out = prf_plus(PrfAlgorithm::hmac_sha2_256, key, text("vpnlab prf+ seed"), 100);
  EXPECT_EQ(hex_of(out),
            "c9a17d9e6e6cf2f7f674c12151452718a31020aa9f950fff107dcb8931667b72e4b2cdf9cdb71c6ca96a"
            "e5f69edb2c94dea4486d4c34154563a65b1c6edc6e39a3d979d2497017efa15eb58fd6f9c5a4556bb28d"
            "b4c8407192099ff6a33530a2d3d6b60d");
}

// Hand-computed vector (Python hmac): Ni = 0x11*32, Nr = 0x22*32, g^ir = 0x33*256,
// SPIi = 0102030405060708, SPIr = 1112131415161718, suite aes128-sha256-prfsha256.
//   SKEYSEED = prf(Ni|Nr, g^ir); keys = prf+(SKEYSEED, Ni|Nr|SPIi|SPIr) split 32/32/32/16/16/32/32
//   child    = prf+(SK_d, Ni|Nr) for AES-GCM-256 (36 octets per direction)
//   AUTH     = prf(prf("correct horse battery","Key Pad for IKEv2"), 0x44*100 | Nr |
//              prf(SK_pi, 01000000 0a000001))
class KeymatVector : public ::testing::Test {
 protected:
  Bytes ni = Bytes(32, 0x11), nr = Bytes(32, 0x22);
  SecretBytes gir{Bytes(256, 0x33)};
  IkeSuite suite{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha2_256_128,
                 PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
  IkeKeys keys() {
    SecretBytes seed = skeyseed_initial(suite.prf, ni, nr, gir);
    return derive_ike_keys(suite, seed, ni, nr, IkeSpi{0x0102030405060708},
                           IkeSpi{0x1112131415161718});
  }
};

TEST_F(KeymatVector, SkeyseedAndIkeKeys) {
  EXPECT_EQ(hex_of(skeyseed_initial(suite.prf, ni, nr, gir)),
            "9ddd0ec3e4acc545b4d2b1855d813499b176d38a3ce6964b0b67a66b63edc4dc");
  IkeKeys k = keys();
  EXPECT_EQ(hex_of(k.sk_d), "f82d1c8eaab2429370ff168adf24d33692dfeb0f1cc2cb42372999b465e27146");
  EXPECT_EQ(hex_of(k.sk_ai), "98f4c4c3becf394de925b5a52a44ede935d84dbd0a8497ac8ba6e301acd31230");
  EXPECT_EQ(hex_of(k.sk_ei), "9ebedf9cd89bb52c523967cc46ab19d4");
  EXPECT_EQ(hex_of(k.sk_pr), "8ea5e2b955ee3a1f4ee0de121271ebb004c3866f6cc2ea7bc2e0cbe1ad975686");
  EXPECT_EQ(k.sk_ar.size(), 32u);
  EXPECT_EQ(k.sk_er.size(), 16u);
}

TEST_F(KeymatVector, ChildKeysInitiatorToResponderFirst) {
  IkeKeys k = keys();
  esp::SuiteId gcm{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
  ChildKeys c = derive_child_keys(suite.prf, k.sk_d, gcm, SecretBytes(), ni, nr);
  EXPECT_EQ(to_hex(c.i_to_r.encr_key.expose()),
            "fc38d32e714882eb189f470a86ad9548d9106fc8fe0b7da72c3694820d6e1810adb58f6c");
  EXPECT_EQ(to_hex(c.r_to_i.encr_key.expose()),
            "05598da808f8e7456e1b8f5fe9144a2fd20a7056ca3b04e46bf67b10272319b18445da43");
  EXPECT_TRUE(c.i_to_r.integ_key.empty());
}

TEST_F(KeymatVector, PskAuth) {
  IkeKeys k = keys();
  SecretBytes psk(std::string_view("correct horse battery"));
  Bytes auth = psk_auth(suite.prf, psk, k.sk_pi, Bytes(100, 0x44), nr, hex("010000000a000001"));
  EXPECT_EQ(to_hex(auth), "74c2507e0f1441303590c909260b177643fa089b6df915aa8875f4f802d41fbf");
  SecretBytes wrong(std::string_view("correct horse battery!"));
  EXPECT_NE(psk_auth(suite.prf, wrong, k.sk_pi, Bytes(100, 0x44), nr, hex("010000000a000001")),
            auth);
}

}  // namespace
}  // namespace vpnlab::ike
