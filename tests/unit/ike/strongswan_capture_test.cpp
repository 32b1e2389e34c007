// Vectors captured from a real peer: strongSwan 5.9.8 charon (Debian 12), run against the
// vpnlab IKE daemon by tests/interop/ike with charon's log at "ike = 4" on 2026-11-25,
// proposal aes256-sha256-modp2048 (charon initiating).
//   - kCharonSaInit: charon's IKE_SA_INIT request as received (VPNLAB_IKE_CAPTURE_DIR);
//     also in tests/fuzz/ike/corpus/ike_message/charon_ike_sa_init_request.
//   - Key derivation: Ni from that request, Nr from charon's logged AUTH octets
//     (RealMessage1 | Nr | ...), SPIr from its IKE_AUTH request header, g^ir, SKEYSEED and
//     SK_* as charon logged them ("shared Diffie Hellman secret", "SKEYSEED", "Sk_d secret" ...).

#include <gtest/gtest.h>

#include "ike/codec/message.hpp"
#include "ike/core/keymat.hpp"

namespace vpnlab::ike {
namespace {

Bytes hex(std::string_view s) {
  return *from_hex(s);
}

const char* const kCharonSaInit =
    "9ea67e4b06f4885a00000000000000002120220800000000000001ce220000300000002c010100040300000c010000"
    "0c"
    "800e0100030000080300000c0300000802000005000000080400000e28000108000e0000117c86dad0d8bf60f705a0"
    "1c"
    "ce5dedfe5637eb9cd0da1272dced55571c5f36e9d7d2dac0765d6b614967363abc91bc70bb2507719acd7975f8a432"
    "b8"
    "496e0c791a7b3f1057a2cf69c5e549c7556b18352e6edfa3f6fb2a42df1136c947cc8e337586ffd1454bcd2627ffc2"
    "19"
    "3953818d0e32e271344e1c6738c1523bd4fe439d526481c1d0f5bbdc681b35d0d57a9689a65b1ba53dba35d4e0c8d7"
    "26"
    "b2bdd6e74414b5593cd6754931d3f74e1072702d1130037e358910aee033ba5633d7aff33bab9bf3f7ef65f6c0cb41"
    "8f"
    "b8864fe814d7bddc04eeebab45adb3fdea9c8363520cd292374b7d543008a6196d57085fcd855c4a5de52138f0d2a9"
    "b9"
    "d073f7e42900002456baa2c6cda1842ee6b3b140f89fed66d6d5d196e1df43cf31a132dff4958c1f2900001c000040"
    "04"
    "4dc54c9442bcf0e06d47b125c81a35b38b7f85b92900001c000040052d35a5c4e45ae3d65403efbd6c87a8655bdf0b"
    "ab"
    "290000080000402e2900000e0000402f0002000300040000000800004016";

TEST(StrongSwanCapture, IkeSaInitRequestDecodesAndReencodesByteExact) {
  Bytes wire = hex(kCharonSaInit);
  auto d = decode_message(wire, nullptr, nullptr);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  const Message& m = **d;
  EXPECT_EQ(m.header.exchange, ExchangeType::ike_sa_init);
  EXPECT_TRUE(m.header.from_initiator());
  const auto* sa = m.get<SaPayload>(PayloadType::sa);
  ASSERT_NE(sa, nullptr);
  const Proposal& p = sa->proposals.at(0);
  EXPECT_EQ(p.protocol, ProtocolId::ike);
  EXPECT_EQ(p.transforms.at(0).type, TransformType::encr);
  EXPECT_EQ(p.transforms.at(0).id, 12);  // ENCR_AES_CBC
  EXPECT_EQ(p.transforms.at(0).key_length, 256);
  const auto* ke = m.get<KePayload>(PayloadType::ke);
  ASSERT_NE(ke, nullptr);
  EXPECT_EQ(ke->dh_group, 14);
  EXPECT_EQ(ke->data.size(), 256u);
  ASSERT_NE(m.get<NoncePayload>(PayloadType::nonce), nullptr);
  EXPECT_NE(m.notify(NotifyType::nat_detection_source_ip), nullptr);
  EXPECT_NE(m.notify(NotifyType::nat_detection_destination_ip), nullptr);
  EXPECT_NE(m.notify(NotifyType::ikev2_fragmentation_supported), nullptr);
  auto again = encode_message(m, nullptr);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(to_hex(*again), to_hex(wire));
}

TEST(StrongSwanCapture, SkeyseedAndIkeKeysMatchCharon) {
  Bytes ni = hex("56baa2c6cda1842ee6b3b140f89fed66d6d5d196e1df43cf31a132dff4958c1f");
  Bytes nr = hex("2a27ac710ffdc9395c480213039b8438e0e8afdf1dde19296504031ae4851d73");
  SecretBytes gir(hex(
      "558b94f30a5331a05c5f39417ed695717cb4ce27cb168564bf27bcfa15d6857747d117048481aa1bf2729e61b8"
      "b3ddb16c2a5ebd8a9eaf7d73f6c711eee78104652d8dd4ba79643167d0d4f493099927ef7a8e8457c27e2ca0e7"
      "9d39701dc8aa26605276fc5f3f8b4c731f9ad9bc0aab8f3a27513dfcb60faa282499eff64dd4c2141f010b257e"
      "cb722b969d450e46c6cae98f9267e1ee6cf06f34c666ccfe9ca1d68d53e7c2e1859237314be9b6e8dda6faa993"
      "3cd1001124dd463b18386f116d654f61eabbcc53315290be40b190026228b5fe59a7da825570ffa8932f65d83d"
      "a90c9050e1da577fe100adb40eb3692e9c868963c878a6a86ba137b9bb15c8"));
  IkeSuite suite{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_256_128,
                 PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
  SecretBytes seed = skeyseed_initial(suite.prf, ni, nr, gir);
  EXPECT_EQ(to_hex(seed.expose()),
            "bf70d6f4bd44e5ae93043f6ba6fe90f6845df54a564b85bd018616001c329937");
  IkeKeys k =
      derive_ike_keys(suite, seed, ni, nr, IkeSpi{0x9ea67e4b06f4885a}, IkeSpi{0x93cec02e00bbe2b9});
  EXPECT_EQ(to_hex(k.sk_d.expose()),
            "76559eb6ba6f91b1f68d707c34bbaf4e777cb1be80e62432e2a076c3eeb6e178");
  EXPECT_EQ(to_hex(k.sk_ai.expose()),
            "fd4a631f2c0c5b7d9c8930241b889af53c2844322014ef655efcc4d1629b229c");
  EXPECT_EQ(to_hex(k.sk_ar.expose()),
            "10fd80c956c6a6de58729b1d44017934adcbe269220ba80cf40e1243c3d3f876");
  EXPECT_EQ(to_hex(k.sk_ei.expose()),
            "60ed6f4d91204ef23e5314148ecf5ede7c9dbbb53f2bd4e648105dcab2b8f312");
  EXPECT_EQ(to_hex(k.sk_er.expose()),
            "706a1cce94ae91f393e4d8aca3920a78b4d5a3970333cb36aaed95d7584e2c65");
  EXPECT_EQ(to_hex(k.sk_pi.expose()),
            "cd0a96c886d77b37caf7f3d9b9c611615cbcef66c1361396a606f9bd060003ef");
  EXPECT_EQ(to_hex(k.sk_pr.expose()),
            "d02e1f560287fab2fd792c6bd612e91d9b9f8923e95774bc8cfdc3e4c0b4bdcc");
}

}  // namespace
}  // namespace vpnlab::ike
