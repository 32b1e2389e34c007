// Message pipeline: header checks, message rules, SK{} framing and SKF fragments, using a
// toy cipher (test_cipher.hpp) so that only the framing is under test here.

#include <gtest/gtest.h>

#include "ike/codec/message.hpp"
#include "tests/unit/ike/test_cipher.hpp"

namespace vpnlab::ike {
namespace {

Message sa_init_request() {
  Message m;
  m.header.spi_i.value = 0x0102030405060708;
  m.header.exchange = ExchangeType::ike_sa_init;
  m.header.flags = Header::kFlagInitiator;
  SaPayload sa;
  Proposal p;
  p.transforms = {
      {TransformType::encr, 20, 256}, {TransformType::prf, 5, {}}, {TransformType::dh, 31, {}}};
  sa.proposals = {p};
  m.add(PayloadType::sa, sa);
  m.add(PayloadType::ke, KePayload{31, Bytes(32, 1)});
  m.add(PayloadType::nonce, NoncePayload{Bytes(32, 2)});
  m.add_notify(NotifyType::ikev2_fragmentation_supported);
  return m;
}

Message auth_request() {
  Message m;
  m.header.spi_i.value = 1;
  m.header.spi_r.value = 2;
  m.header.exchange = ExchangeType::ike_auth;
  m.header.flags = Header::kFlagInitiator;
  m.header.message_id.value = 1;
  m.encrypted = true;
  m.add(PayloadType::id_i, IdPayload::ipv4(Ipv4Address{0x0a000001}));
  m.add(PayloadType::auth, AuthPayload{AuthMethod::shared_key_mic, Bytes(32, 5)});
  m.add(PayloadType::ts_i, TsPayload{{TrafficSelector::any()}});
  m.add(PayloadType::ts_r, TsPayload{{TrafficSelector::any()}});
  return m;
}

TEST(Header, RejectsWrongMajorVersionAndLength) {
  Bytes wire = *encode_message(sa_init_request(), nullptr);
  Bytes v3 = wire;
  v3[17] = 0x30;
  auto h = decode_header(v3);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().notify, NotifyType::invalid_major_version);
  Bytes longer = wire;
  longer.push_back(0);
  h = decode_header(longer);
  ASSERT_FALSE(h.has_value());
  EXPECT_NE(h.error().message.find("Length"), std::string::npos);
  h = decode_header(ByteSpan(wire).first(27));
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().code, errc::truncated);
}

TEST(Message, SaInitRoundTrip) {
  Message m = sa_init_request();
  Bytes wire = *encode_message(m, nullptr);
  auto d = decode_message(wire, nullptr, nullptr);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_TRUE(d->has_value());
  EXPECT_EQ((*d)->payloads, m.payloads);
  EXPECT_EQ((*d)->header.spi_i, m.header.spi_i);
  EXPECT_EQ((*d)->header.length, wire.size());
  EXPECT_NE((*d)->notify(NotifyType::ikev2_fragmentation_supported), nullptr);
}

TEST(Message, RulesRejectMissingAndDuplicatePayloads) {
  Message no_ke = sa_init_request();
  no_ke.payloads.erase(no_ke.payloads.begin() + 1);
  auto d = decode_message(*encode_message(no_ke, nullptr), nullptr, nullptr);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, errc::rule_violation);
  EXPECT_EQ(d.error().notify, NotifyType::invalid_syntax);
  EXPECT_NE(d.error().message.find("missing KE"), std::string::npos) << d.error().message;

  Message two_nonces = sa_init_request();
  two_nonces.add(PayloadType::nonce, NoncePayload{Bytes(16, 3)});
  d = decode_message(*encode_message(two_nonces, nullptr), nullptr, nullptr);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find("too many"), std::string::npos);

  Message delete_in_init = sa_init_request();
  delete_in_init.add(PayloadType::delete_, DeletePayload{ProtocolId::ike, {}});
  d = decode_message(*encode_message(delete_in_init, nullptr), nullptr, nullptr);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, errc::rule_violation);
}

TEST(Message, AuthMustBeEncrypted) {
  Message m = auth_request();
  m.encrypted = false;
  auto d = decode_message(*encode_message(m, nullptr), nullptr, nullptr);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find("inside SK"), std::string::npos);
}

TEST(SkFraming, RoundTripWithPaddingForEveryBlockSize) {
  for (std::size_t block : {1u, 4u, 16u}) {
    SCOPED_TRACE(block);
    test::XorCipher cipher(block);
    Message m = auth_request();
    auto wire = encode_message(m, &cipher);
    ASSERT_TRUE(wire.has_value());
    EXPECT_EQ((*wire)[16], static_cast<std::uint8_t>(PayloadType::sk));
    EXPECT_EQ((*wire)[28], static_cast<std::uint8_t>(PayloadType::id_i));
    auto d = decode_message(*wire, &cipher, nullptr);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_TRUE((*d)->encrypted);
    EXPECT_EQ((*d)->payloads, m.payloads);
  }
}

TEST(SkFraming, BadIcvIsDroppedSilently) {
  test::XorCipher cipher;
  Bytes wire = *encode_message(auth_request(), &cipher);
  wire[40] ^= 1;
  auto d = decode_message(wire, &cipher, nullptr);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, errc::integrity_failed);
  EXPECT_EQ(d.error().notify, NotifyType::none);
}

// RFC 7296 2.21.2: an SK{} too short to hold IV, content and ICV cannot be authenticated,
// so the error names the field but asks for no notify (the message is dropped unanswered).
TEST(SkFraming, TruncatedSkIsInvalidSyntaxWithoutNotify) {
  test::XorCipher cipher;
  Bytes wire = *encode_message(auth_request(), &cipher);
  wire.resize(28 + 4 + 6);
  ByteWriter(wire).patch_u32(24, static_cast<std::uint32_t>(wire.size()));
  ByteWriter(wire).patch_u16(30, 10);
  auto d = decode_message(wire, &cipher, nullptr);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, errc::truncated);
  EXPECT_EQ(d.error().notify, NotifyType::none);
  EXPECT_NE(d.error().message.find("SK"), std::string::npos);
}

// RFC 7383 2.5: the message split into SKF fragments and reassembled in any order.
TEST(SkfFraming, FragmentsReassembleOutOfOrder) {
  test::XorCipher cipher;
  Message m = auth_request();
  m.add(PayloadType::vendor_id, VendorIdPayload{Bytes(300, 0x77)});
  auto frags = protect_fragments(m.header, m.payloads, cipher, 128);
  ASSERT_TRUE(frags.has_value()) << frags.error().message;
  ASSERT_GT(frags->size(), 2u);
  for (const Bytes& f : *frags) EXPECT_LE(f.size(), 128u);
  FragmentReassembler reasm;
  std::optional<Message> done;
  for (std::size_t i = frags->size(); i-- > 0;) {
    auto d = decode_message((*frags)[i], &cipher, &reasm);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_EQ(d->has_value(), i == 0);
    if (*d) done = std::move(**d);
  }
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->payloads, m.payloads);
}

TEST(SkfFraming, FragmentNumberOutOfRangeIsRejected) {
  test::XorCipher cipher;
  Message m = auth_request();
  auto frags = protect_fragments(m.header, m.payloads, cipher, 1200);
  ASSERT_TRUE(frags.has_value());
  Bytes f = frags->at(0);
  f[33] = 2;  // Fragment Number 2 of Total 1
  FragmentReassembler reasm;
  auto d = decode_message(f, &cipher, &reasm);
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find("SKF Fragment Number"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::ike
