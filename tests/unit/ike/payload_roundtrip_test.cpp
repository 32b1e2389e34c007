// Round trip decode(encode(x)) == x for every payload type, plus hand-written wire bytes one
// field per line (RFC 7296 section 3 field names as comments).

#include <gtest/gtest.h>

#include "ike/codec/payload.hpp"

namespace vpnlab::ike {
namespace {

Bytes hex(std::string_view s) {
  return *from_hex(s);
}

Payload roundtrip(const Payload& p) {
  Bytes out;
  ByteWriter w(out);
  encode_payloads({p}, w);
  ByteReader r(out);
  auto chain = decode_payloads(r, p.type);
  EXPECT_TRUE(chain.has_value()) << (chain ? "" : chain.error().message);
  if (!chain || chain->payloads.size() != 1) return Payload{};
  return chain->payloads[0];
}

SaPayload sample_sa() {
  SaPayload sa;
  Proposal p1;
  p1.number = 1;
  p1.protocol = ProtocolId::ike;
  p1.transforms = {{TransformType::encr, 20, 256},
                   {TransformType::prf, 5, std::nullopt},
                   {TransformType::dh, 19, std::nullopt}};
  Proposal p2 = p1;
  p2.number = 2;
  p2.transforms = {{TransformType::encr, 12, 128},
                   {TransformType::integ, 12, std::nullopt},
                   {TransformType::prf, 2, std::nullopt},
                   {TransformType::dh, 14, std::nullopt}};
  Proposal esp;
  esp.number = 3;
  esp.protocol = ProtocolId::esp;
  esp.spi = {0xc0, 0x01, 0x02, 0x03};
  esp.transforms = {{TransformType::encr, 20, 128}, {TransformType::esn, 0, std::nullopt}};
  sa.proposals = {p1, p2, esp};
  return sa;
}

TEST(PayloadRoundTrip, EveryPayloadType) {
  struct Case {
    const char* name;
    Payload payload;
  };
  NotifyPayload rekey = NotifyPayload::make(NotifyType::rekey_sa);
  rekey.protocol = ProtocolId::esp;
  rekey.spi = {1, 2, 3, 4};
  TsPayload ts;
  ts.selectors = {TrafficSelector::any(),
                  TrafficSelector::from_prefix(*Ipv4Prefix::parse("10.1.0.0/16"))};
  std::vector<Case> cases = {
      {"SA", {PayloadType::sa, false, sample_sa()}},
      {"KE", {PayloadType::ke, false, KePayload{31, Bytes(32, 0x42)}}},
      {"IDi ipv4", {PayloadType::id_i, false, IdPayload::ipv4(Ipv4Address{0xc0000201})}},
      {"IDr fqdn", {PayloadType::id_r, false, IdPayload::fqdn("vpn.example.net")}},
      {"AUTH", {PayloadType::auth, false, AuthPayload{AuthMethod::shared_key_mic, Bytes(32, 7)}}},
      {"Nonce", {PayloadType::nonce, false, NoncePayload{Bytes(32, 9)}}},
      {"Notify",
       {PayloadType::notify, false, NotifyPayload::make(NotifyType::cookie, Bytes(8, 3))}},
      {"Notify REKEY_SA", {PayloadType::notify, false, rekey}},
      {"Delete ESP",
       {PayloadType::delete_, false, DeletePayload{ProtocolId::esp, {0x1234, 0x5678}}}},
      {"Delete IKE", {PayloadType::delete_, false, DeletePayload{ProtocolId::ike, {}}}},
      {"TSi", {PayloadType::ts_i, false, ts}},
      {"TSr", {PayloadType::ts_r, false, TsPayload{{TrafficSelector::any()}}}},
      {"V",
       {PayloadType::vendor_id, false, VendorIdPayload{hex("882fe56d6fd20dbc2251613b2ebe5beb")}}},
      {"CP (kept raw)", {PayloadType::cp, false, UnknownPayload{hex("0100000000010000")}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(roundtrip(c.payload), c.payload);
  }
}

// RFC 7296 3.3: an SA payload with one IKE proposal, field by field.
TEST(PayloadWire, SaProposalBytes) {
  Bytes wire =
      hex("00"           // Next Payload: none
          "00"           // C + RESERVED
          "0028"         // Payload Length 40
          "00 00 0024"   // Proposal: Last Substruc 0, RESERVED, Proposal Length 36
          "01 01 00 03"  // Proposal Num 1, Protocol ID IKE, SPI Size 0, Num Transforms 3
          "03 00 000c 01 00 0014 800e0100"  // ENCR AES-GCM-16, Key Length 256
          "03 00 0008 02 00 0005"           // PRF HMAC-SHA2-256
          "00 00 0008 04 00 0013");         // D-H group 19
  ByteReader r(wire);
  auto chain = decode_payloads(r, PayloadType::sa);
  ASSERT_TRUE(chain.has_value()) << chain.error().message;
  const auto& sa = std::get<SaPayload>(chain->payloads.at(0).body);
  ASSERT_EQ(sa.proposals.size(), 1u);
  EXPECT_EQ(sa.proposals[0].transforms.size(), 3u);
  EXPECT_EQ(sa.proposals[0].transforms[0].key_length, 256);
  EXPECT_EQ(sa.proposals[0].transforms[2].id, 19);
  Bytes again;
  ByteWriter w(again);
  encode_payloads(chain->payloads, w);
  EXPECT_EQ(to_hex(again), to_hex(wire));
}

TEST(PayloadWire, UnknownCriticalPayloadIsRejectedWithItsType) {
  Bytes wire = hex("00 80 0008 deadbeef");  // type 200 (unassigned), critical bit set
  ByteReader r(wire);
  auto chain = decode_payloads(r, static_cast<PayloadType>(200));
  ASSERT_FALSE(chain.has_value());
  EXPECT_EQ(chain.error().notify, NotifyType::unsupported_critical_payload);
  EXPECT_EQ(chain.error().notify_data, Bytes{200});
}

TEST(PayloadWire, UnknownNonCriticalPayloadIsSkipped) {
  Bytes wire = hex("28 00 0008 deadbeef  00 00 0014 000102030405060708090a0b0c0d0e0f");
  ByteReader r(wire);
  auto chain = decode_payloads(r, static_cast<PayloadType>(200));
  ASSERT_TRUE(chain.has_value()) << chain.error().message;
  ASSERT_EQ(chain->payloads.size(), 2u);
  EXPECT_EQ(chain->payloads[1].type, PayloadType::nonce);
}

// RFC 7296 3.3.1: a responder's SA carries the number of the proposal it accepted (charon
// answering an AWS offer picked proposal 5); only a list must count 1, 2, 3...
TEST(PayloadWire, ProposalNumbersOfAReplyAndOfAList) {
  auto decode = [](const Bytes& wire) {
    ByteReader r(wire);
    return decode_payloads(r, PayloadType::sa);
  };
  auto reply = decode(hex("00 00 0014 00 00 0010 05 01 00 01 00 00 0008 01 00 000c"));
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  EXPECT_EQ(std::get<SaPayload>(reply->payloads[0].body).proposals[0].number, 5);
  auto list =
      decode(hex("00 00 0024 02 00 0010 01 01 00 01 00 00 0008 01 00 000c "
                 "00 00 0010 02 01 00 01 00 00 0008 01 00 000c"));
  ASSERT_TRUE(list.has_value()) << list.error().message;
  struct Case {
    const char* name;
    Bytes wire;
    const char* why;
  };
  std::vector<Case> bad = {
      {"zero", hex("00 00 0014 00 00 0010 00 01 00 01 00 00 0008 01 00 000c"), "zero"},
      {"list starts at 2",
       hex("00 00 0024 02 00 0010 02 01 00 01 00 00 0008 01 00 000c "
           "00 00 0010 03 01 00 01 00 00 0008 01 00 000c"),
       "first of several is not 1"},
      {"list skips",
       hex("00 00 0024 02 00 0010 01 01 00 01 00 00 0008 01 00 000c "
           "00 00 0010 03 01 00 01 00 00 0008 01 00 000c"),
       "not sequential"},
  };
  for (const Case& c : bad) {
    SCOPED_TRACE(c.name);
    auto r = decode(c.wire);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("Proposal Num"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
  }
}

TEST(PayloadWire, MalformedBodiesNameFieldAndOffset) {
  struct Case {
    const char* name;
    PayloadType type;
    Bytes wire;
    const char* field;
  };
  std::vector<Case> cases = {
      {"length below 4", PayloadType::nonce, hex("00 00 0003"), "Payload Length"},
      {"length past end", PayloadType::nonce, hex("00 00 0040 0102"), "Payload Length"},
      {"short nonce", PayloadType::nonce, hex("00 00 0008 01020304"), "Nonce Data"},
      {"ipv4 id of 3 bytes", PayloadType::id_i, hex("00 00 000b 01000000 c00002"),
       "ID Identification"},
      {"proposal count lies", PayloadType::sa,
       hex("00 00 0014 00 00 0010 01 01 00 02 00 00 0008 01 00 000c"), "Proposal Num Transforms"},
      {"ts zero count", PayloadType::ts_i, hex("00 00 0008 00 000000"), "TS Number of TSs"},
      {"ts bad length", PayloadType::ts_i,
       hex("00 00 0018 01 000000 07 00 0014 0000ffff 00000000 ffffffff"), "TS Selector Length"},
      {"delete ike with spi", PayloadType::delete_, hex("00 00 000c 01 04 0001 00000001"),
       "Delete SPI Size"},
      {"KE without data", PayloadType::ke, hex("00 00 0008 000e 0000"), "KE Key Exchange Data"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ByteReader r(c.wire, 28);
    auto chain = decode_payloads(r, c.type);
    ASSERT_FALSE(chain.has_value());
    EXPECT_EQ(chain.error().notify, NotifyType::invalid_syntax);
    EXPECT_NE(chain.error().message.find(c.field), std::string::npos) << chain.error().message;
    EXPECT_GE(chain.error().offset, 28u);
  }
}

}  // namespace
}  // namespace vpnlab::ike
