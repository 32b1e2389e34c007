// SK{} with the real ciphers: both peers' views interoperate, every byte of the message is
// covered by the ICV, and each suite's IV/ICV sizes follow RFC 5282 / RFC 4868.

#include <gtest/gtest.h>

#include "ike/codec/message.hpp"
#include "ike/core/sk_cipher.hpp"

namespace vpnlab::ike {
namespace {

IkeKeys keys_for(const IkeSuite& s) {
  SecretBytes seed(Bytes(32, 0x5a));
  return derive_ike_keys(s, seed, Bytes(32, 1), Bytes(32, 2), IkeSpi{1}, IkeSpi{2});
}

Message informational() {
  Message m;
  m.header.spi_i.value = 1;
  m.header.spi_r.value = 2;
  m.header.exchange = ExchangeType::informational;
  m.header.flags = Header::kFlagInitiator;
  m.header.message_id.value = 7;
  m.encrypted = true;
  m.add(PayloadType::delete_, DeletePayload{ProtocolId::esp, {0xc0010203}});
  return m;
}

class SkCipherSuites : public ::testing::TestWithParam<IkeSuite> {};

TEST_P(SkCipherSuites, InitiatorSealsResponderOpensAndTamperFails) {
  IkeSuite s = GetParam();
  IkeKeys k = keys_for(s);
  CountingRng rng(1);
  auto i = make_sk_cipher(s, k, true, rng);
  auto r = make_sk_cipher(s, k, false, rng);
  Bytes wire = *encode_message(informational(), i.get());
  EXPECT_EQ(wire.size() % 1, 0u);
  auto d = decode_message(wire, r.get(), nullptr);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ((*d)->payloads, informational().payloads);
  // The initiator cannot open its own message (directions use different keys).
  EXPECT_FALSE(decode_message(wire, i.get(), nullptr).has_value());
  for (std::size_t at : {std::size_t{20}, std::size_t{30}, wire.size() - 1}) {
    Bytes bad = wire;
    bad[at] ^= 0x80;
    auto f = decode_message(bad, r.get(), nullptr);
    ASSERT_FALSE(f.has_value()) << at;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Suites, SkCipherSuites,
    ::testing::Values(IkeSuite{esp::EncrAlgorithm::aes_gcm_16, 128, esp::IntegAlgorithm::none,
                               PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256},
                      IkeSuite{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
                               PrfAlgorithm::hmac_sha2_384, DhGroup::ecp_384},
                      IkeSuite{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha1_96,
                               PrfAlgorithm::hmac_sha1, DhGroup::modp_1024},
                      IkeSuite{esp::EncrAlgorithm::aes_cbc, 256,
                               esp::IntegAlgorithm::hmac_sha2_256_128, PrfAlgorithm::hmac_sha2_256,
                               DhGroup::modp_2048},
                      IkeSuite{esp::EncrAlgorithm::aes_cbc, 256,
                               esp::IntegAlgorithm::hmac_sha2_512_256, PrfAlgorithm::hmac_sha2_512,
                               DhGroup::curve25519}));

TEST(SkCipher, SizesPerSuite) {
  CountingRng rng(1);
  IkeSuite gcm{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
               PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
  auto c = make_sk_cipher(gcm, keys_for(gcm), true, rng);
  EXPECT_EQ(c->iv_size(), 8u);  // RFC 5282 3.1
  EXPECT_EQ(c->icv_size(), 16u);
  IkeSuite cbc{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha2_384_192,
               PrfAlgorithm::hmac_sha2_384, DhGroup::modp_2048};
  c = make_sk_cipher(cbc, keys_for(cbc), true, rng);
  EXPECT_EQ(c->iv_size(), 16u);
  EXPECT_EQ(c->icv_size(), 24u);  // RFC 4868: HMAC-SHA-384-192
}

}  // namespace
}  // namespace vpnlab::ike
