// Diffie-Hellman through OpenSSL: published known answers for ECP (RFC 5903 8.1) and
// Curve25519 (RFC 7748 6.1), and key agreement + encoding sizes for every supported group.

#include <gtest/gtest.h>

#include "ike/core/dh.hpp"

namespace vpnlab::ike {
namespace {

Bytes hex(std::string_view s) {
  return *from_hex(s);
}

// RFC 5903 8.1, 256-Bit Random ECP Group: i, g^i = (gix, giy), r, g^r, g^ir x-coordinate.
TEST(Dh, Rfc5903Ecp256KnownAnswer) {
  Bytes gi =
      hex("DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
          "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3");
  Bytes gr =
      hex("D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
          "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
  auto i = DhKeyPair::from_private_for_test(
      DhGroup::ecp_256, hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"),
      gi);
  auto r = DhKeyPair::from_private_for_test(
      DhGroup::ecp_256, hex("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53"),
      gr);
  ASSERT_TRUE(i.has_value() && r.has_value());
  // RFC 5903 7: the KE payload holds x || y without the 0x04 point-format octet.
  EXPECT_EQ(to_hex(i->public_value()),
            "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3");
  EXPECT_EQ(to_hex(r->public_value()),
            "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
            "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab");
  auto gir_i = i->shared_secret(r->public_value());
  auto gir_r = r->shared_secret(i->public_value());
  ASSERT_TRUE(gir_i.has_value() && gir_r.has_value());
  EXPECT_EQ(to_hex(gir_i->expose()),
            "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
  EXPECT_TRUE(gir_i->equals(*gir_r));
}

// RFC 7748 6.1: Alice's and Bob's X25519 keys and their shared secret K.
TEST(Dh, Rfc7748X25519KnownAnswer) {
  auto a = DhKeyPair::from_private_for_test(
      DhGroup::curve25519, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(to_hex(a->public_value()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  auto k =
      a->shared_secret(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(to_hex(k->expose()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

class DhGroups : public ::testing::TestWithParam<DhGroup> {};

TEST_P(DhGroups, AgreeAndEncodeAtFixedSize) {
  DhGroup g = GetParam();
  auto a = DhKeyPair::generate(g);
  auto b = DhKeyPair::generate(g);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->public_value().size(), dh_public_size(g));
  auto s1 = a->shared_secret(b->public_value());
  auto s2 = b->shared_secret(a->public_value());
  ASSERT_TRUE(s1.has_value()) << s1.error().message;
  ASSERT_TRUE(s2.has_value());
  EXPECT_TRUE(s1->equals(*s2));
  EXPECT_GE(s1->size(), 32u);
  // RFC 7296 3.4: a public value of the wrong length is invalid.
  Bytes short_value(b->public_value().begin(), b->public_value().end() - 1);
  EXPECT_FALSE(a->shared_secret(short_value).has_value());
}

INSTANTIATE_TEST_SUITE_P(AllSupported, DhGroups,
                         ::testing::Values(DhGroup::modp_1024, DhGroup::modp_1536,
                                           DhGroup::modp_2048, DhGroup::modp_3072,
                                           DhGroup::modp_4096, DhGroup::ecp_256, DhGroup::ecp_384,
                                           DhGroup::ecp_521, DhGroup::modp_1024_160,
                                           DhGroup::modp_2048_224, DhGroup::modp_2048_256,
                                           DhGroup::curve25519));

// Large MODP groups are slow to generate; one agreement each without the parametrized extras.
TEST(Dh, LargeModpGroupsHaveTheirSize) {
  EXPECT_EQ(dh_public_size(DhGroup::modp_6144), 768u);
  EXPECT_EQ(dh_public_size(DhGroup::modp_8192), 1024u);
  auto a = DhKeyPair::generate(DhGroup::modp_6144);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->public_value().size(), 768u);
}

TEST(Dh, InvalidPublicValuesAreRejected) {
  auto a = DhKeyPair::generate(DhGroup::modp_2048);
  ASSERT_TRUE(a.has_value());
  Bytes one(256, 0);
  one.back() = 1;  // y = 1 is outside [2, p-2]
  EXPECT_FALSE(a->shared_secret(one).has_value());
  auto e = DhKeyPair::generate(DhGroup::ecp_256);
  ASSERT_TRUE(e.has_value());
  EXPECT_FALSE(e->shared_secret(Bytes(64, 0)).has_value());  // not on the curve
  EXPECT_FALSE(DhKeyPair::generate(DhGroup::none).has_value());
}

}  // namespace
}  // namespace vpnlab::ike
