// Malformed and unexpected datagrams, each with the reaction RFC 7296 2.21 asks for (a
// notify, or silence) and a counter.

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

Datagram to_right(Bytes data) {
  return Datagram{{*Ipv4Address::parse("192.0.2.1"), 500},
                  {*Ipv4Address::parse("198.51.100.1"), 500},
                  std::move(data)};
}

/// The left's first IKE_SA_INIT request, captured without delivering it.
Bytes first_request(Lab& lab) {
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  return lab.sent_by_left.at(0);
}

std::optional<Message> plain_reply(const Actions& a) {
  if (a.send.size() != 1) return std::nullopt;
  auto m = decode_message(a.send[0].data, nullptr, nullptr);
  if (!m || !*m) return std::nullopt;
  return std::move(**m);
}

TEST(Malformed, TruncatedIkeSaInitGetsInvalidSyntax) {
  Lab lab;
  Bytes req = first_request(lab);
  req.resize(req.size() - 10);  // cut inside the last payload, fix the header Length
  ByteWriter(req).patch_u32(24, static_cast<std::uint32_t>(req.size()));
  Actions a = lab.right.manager->on_datagram(to_right(req));
  auto reply = plain_reply(a);
  ASSERT_TRUE(reply.has_value());
  EXPECT_NE(reply->notify(NotifyType::invalid_syntax), nullptr);
  EXPECT_EQ(reply->header.spi_r.value, 0u);
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_EQ(lab.right.counters.get("ike.rx.invalid_syntax").get(), 1u);
}

TEST(Malformed, ShortDatagramIsDroppedSilently) {
  Lab lab;
  Bytes req = first_request(lab);
  req.resize(20);
  Actions a = lab.right.manager->on_datagram(to_right(req));
  EXPECT_TRUE(a.send.empty());
  EXPECT_EQ(lab.right.counters.get("ike.rx.invalid_header").get(), 1u);
}

TEST(Malformed, UnknownCriticalPayloadIsNamedInTheNotify) {
  Lab lab;
  Bytes req = first_request(lab);
  // Append an unknown critical payload (type 200) after the last one (a Notify).
  std::size_t at = 28;
  for (;;) {
    std::uint8_t next = req[at];
    if (next == 0) break;
    at += load_be16(&req[at + 2]);
  }
  req[at] = 200;
  for (std::uint8_t b : {0, 0x80, 0, 8, 1, 2, 3, 4}) req.push_back(b);
  ByteWriter(req).patch_u32(24, static_cast<std::uint32_t>(req.size()));
  auto reply = plain_reply(lab.right.manager->on_datagram(to_right(req)));
  ASSERT_TRUE(reply.has_value());
  auto* n = reply->notify(NotifyType::unsupported_critical_payload);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->data, Bytes{200});
  EXPECT_EQ(lab.right.counters.get("ike.rx.unsupported_critical_payload").get(), 1u);
}

TEST(Malformed, RetransmittedIkeSaInitIsAnsweredFromCache) {
  Lab lab;
  Bytes req = first_request(lab);
  Actions a1 = lab.right.manager->on_datagram(to_right(req));
  Actions a2 = lab.right.manager->on_datagram(to_right(req));
  ASSERT_EQ(a1.send.size(), 1u);
  ASSERT_EQ(a2.send.size(), 1u);
  EXPECT_EQ(a1.send[0].data, a2.send[0].data);
  EXPECT_EQ(lab.right.manager->size(), 1u);
  EXPECT_EQ(lab.right.counters.get("ike.rx.retransmitted_request").get(), 1u);
}

class Established : public ::testing::Test {
 protected:
  void SetUp() override {
    lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
    lab.deliver();
    ASSERT_TRUE(lab.established());
  }
  /// An INFORMATIONAL request from the left with the next message ID (2).
  Message informational() {
    Message m;
    m.header.spi_i = lab.left.sa()->spi_i();
    m.header.spi_r = lab.left.sa()->spi_r();
    m.header.exchange = ExchangeType::informational;
    m.header.flags = Header::kFlagInitiator;
    m.header.message_id.value = 2;
    m.encrypted = true;
    return m;
  }
  Lab lab;
};

TEST_F(Established, BadIcvIsSilentAndTheSaSurvives) {
  Message m = informational();
  Bytes wire = *encode_message(m, lab.left.sa()->cipher());
  wire[wire.size() - 1] ^= 0xff;
  Actions a = lab.right.manager->on_datagram(to_right(wire));
  EXPECT_TRUE(a.send.empty());
  EXPECT_EQ(lab.right.counters.get("ike.rx.integrity_failed").get(), 1u);
  // The genuine message with the same ID is still accepted afterwards.
  Bytes good = *encode_message(m, lab.left.sa()->cipher());
  a = lab.right.manager->on_datagram(to_right(good));
  EXPECT_EQ(a.send.size(), 1u);
  EXPECT_TRUE(lab.established());
}

TEST_F(Established, UnknownSpiIsSilent) {
  Message m = informational();
  m.header.spi_r.value ^= 1;
  Bytes wire = *encode_message(m, lab.left.sa()->cipher());
  Actions a = lab.right.manager->on_datagram(to_right(wire));
  EXPECT_TRUE(a.send.empty());
  EXPECT_EQ(lab.right.counters.get("ike.rx.unknown_spi").get(), 1u);
}

TEST_F(Established, PayloadNotAllowedInExchangeGetsEncryptedInvalidSyntax) {
  Message m = informational();
  m.add(PayloadType::nonce, NoncePayload{Bytes(32, 1)});  // no Nonce in INFORMATIONAL
  Bytes wire = *encode_message(m, lab.left.sa()->cipher());
  Actions a = lab.right.manager->on_datagram(to_right(wire));
  ASSERT_EQ(a.send.size(), 1u);
  auto reply = decode_message(a.send[0].data, lab.left.sa()->cipher(), nullptr);
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  EXPECT_TRUE((*reply)->encrypted);
  EXPECT_NE((*reply)->notify(NotifyType::invalid_syntax), nullptr);
  EXPECT_EQ(lab.right.counters.get("ike.rx.invalid_syntax").get(), 1u);
}

TEST_F(Established, WrongMessageIdIsDropped) {
  Message m = informational();
  m.header.message_id.value = 7;
  Actions a = lab.right.manager->on_datagram(to_right(*encode_message(m, lab.left.sa()->cipher())));
  EXPECT_TRUE(a.send.empty());
  EXPECT_EQ(lab.right.counters.get("ike.rx.invalid_message_id").get(), 1u);
}

TEST_F(Established, UnsolicitedResponseIsDropped) {
  Message m = informational();
  m.header.flags |= Header::kFlagResponse;
  Actions a = lab.right.manager->on_datagram(to_right(*encode_message(m, lab.left.sa()->cipher())));
  EXPECT_TRUE(a.send.empty());
  EXPECT_EQ(lab.right.counters.get("ike.rx.unexpected_response").get(), 1u);
}

}  // namespace
}  // namespace vpnlab::ike::test
