// Hostile input at the responder, each with the reaction the RFC asks for (a notify, or
// silence), a counter, and bounded state:
//  - a flood of IKE_SA_INIT requests from spoofed source ports: above the half-open
//    threshold every request gets a stateless COOKIE challenge (RFC 7296 2.6), the half-open
//    SAs stay at the threshold and expire, a genuine initiator still gets through;
//  - cookies returned by a sender at a real address: half-open SAs stop at half_open_limit;
//  - IKE_SA_INIT from addresses no peer is configured for: silence, no state;
//  - a higher major version: INVALID_MAJOR_VERSION for requests, silence for responses
//    (2.5, 1.5);
//  - a header Length that disagrees with the datagram (3.1): silence;
//  - replayed requests (2.2): the latest is answered from the response cache, older ones
//    are dropped; a truncated SK{} message fails integrity and is dropped (2.21.2);
//  - responses for SPIs nobody owns (INVALID_IKE_SPI case of 2.21.4): never answered.

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

const Ipv4Address kLeft = *Ipv4Address::parse("192.0.2.1");
const Ipv4Address kRight = *Ipv4Address::parse("198.51.100.1");

Datagram to_right(Bytes data, Endpoint from = {kLeft, 500}) {
  return Datagram{from, {kRight, 500}, std::move(data)};
}

/// A genuine IKE_SA_INIT request of the left's configuration, from a side outside the lab.
Bytes init_request() {
  Side attacker(0x3333, 0xe0000100);
  attacker.manager->add_peer(lab_peer(true));
  return attacker.manager->connect("tunnel1").send.at(0).data;
}

std::optional<Message> plain(const Bytes& wire) {
  auto m = decode_message(wire, nullptr, nullptr);
  if (!m || !*m) return std::nullopt;
  return std::move(**m);
}

/// Keeps the timers of a reply (half-open expiry) but not its datagrams.
void keep_timers(Lab& lab, Side& side, const Actions& a) {
  Actions t;
  t.timers = a.timers;
  lab.apply(side, std::move(t));
}

TEST(Hostile, IkeSaInitFloodIsCookieChallengedAndHalfOpenStaysBounded) {
  Lab lab;
  const std::size_t threshold = lab_peer(false).cookie_threshold;
  const std::uint32_t flood = 3000;
  Bytes base = init_request();
  std::size_t challenged = 0;
  for (std::uint32_t i = 0; i < flood; ++i) {
    Bytes req = base;
    store_be32(req.data(), 0xa0000000 + i);  // a fresh SPIi
    Actions a = lab.right.manager->on_datagram(
        to_right(req, {kLeft, static_cast<std::uint16_t>(1024 + i)}));
    ASSERT_EQ(a.send.size(), 1u) << i;
    auto reply = plain(a.send[0].data);
    ASSERT_TRUE(reply.has_value()) << i;
    if (i >= threshold) {
      // 2.6: HDR(A,0), N(COOKIE): nothing but the cookie, no DH work, no state.
      ASSERT_EQ(reply->payloads.size(), 1u) << i;
      ASSERT_NE(reply->notify(NotifyType::cookie), nullptr) << i;
      EXPECT_EQ(reply->header.spi_r.value, 0u);
      ++challenged;
    }
    keep_timers(lab, lab.right, a);
  }
  EXPECT_EQ(challenged, flood - threshold);
  EXPECT_EQ(lab.right.manager->size(), threshold);
  EXPECT_EQ(lab.right.manager->half_open(), threshold);
  EXPECT_EQ(lab.right.counter("ike.rx.cookie_challenge"), flood - threshold);
  // A genuine initiator during the flood: challenged once, retries with the cookie, gets in.
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_NE(lab.left.sa(), nullptr);
  EXPECT_EQ(lab.left.sa()->state(), IkeState::established);
  EXPECT_EQ(lab.left.counter("ike.init.cookie_retry"), 1u);
  // The half-open SAs expire (no IKE_AUTH followed); only the genuine one is left.
  lab.advance(std::chrono::seconds(31));
  EXPECT_EQ(lab.right.manager->half_open(), 0u);
  EXPECT_EQ(lab.right.manager->size(), 1u);
  EXPECT_EQ(lab.right.counter("ike.half_open.timeout"), threshold);
}

// 2.6 stops spoofed floods only: a sender at a real address returns each COOKIE. The
// half-open SAs it can make stop at half_open_limit; past it IKE_SA_INIT is dropped, even
// with a valid cookie, and counted (the regression the lab's hostile set found: no bound).
TEST(Hostile, ReturnedCookiesStopAtTheHalfOpenLimit) {
  Lab lab;
  const PeerConfig peer = lab_peer(false);
  const std::uint32_t senders = static_cast<std::uint32_t>(peer.half_open_limit) + 20;
  Bytes base = init_request();
  std::size_t created = 0, limited = 0;
  for (std::uint32_t i = 0; i < senders; ++i) {
    Bytes req = base;
    store_be32(req.data(), 0xb0000000 + i);
    Endpoint from{kLeft, static_cast<std::uint16_t>(3000 + i)};
    Actions a = lab.right.manager->on_datagram(to_right(req, from));
    ASSERT_EQ(a.send.size(), 1u) << i;
    auto reply = plain(a.send[0].data);
    ASSERT_TRUE(reply.has_value()) << i;
    if (const NotifyPayload* cookie = reply->notify(NotifyType::cookie)) {
      // Return the cookie first, as 2.6 asks of a genuine initiator.
      Message m = *plain(req);
      m.payloads.insert(m.payloads.begin(),
                        Payload{PayloadType::notify, false,
                                NotifyPayload::make(NotifyType::cookie, cookie->data)});
      auto wire = encode_message(m, nullptr);
      ASSERT_TRUE(wire.has_value());
      a = lab.right.manager->on_datagram(to_right(*wire, from));
    }
    if (a.send.empty()) {
      ++limited;
    } else {
      ++created;
    }
    keep_timers(lab, lab.right, a);
  }
  EXPECT_EQ(created, peer.half_open_limit);
  EXPECT_EQ(limited, senders - peer.half_open_limit);
  EXPECT_EQ(lab.right.manager->half_open(), peer.half_open_limit);
  EXPECT_EQ(lab.right.counter("ike.half_open.created"), peer.half_open_limit);
  EXPECT_EQ(lab.right.counter("ike.rx.half_open_limit"), senders - peer.half_open_limit);
  lab.advance(std::chrono::seconds(31));
  EXPECT_EQ(lab.right.manager->half_open(), 0u);
}

TEST(Hostile, IkeSaInitFromUnknownAddressesIsSilentAndStateless) {
  Lab lab;
  Bytes base = init_request();
  for (std::uint32_t i = 0; i < 1000; ++i) {
    Endpoint from{Ipv4Address{0xcb007100 + (i & 0xff)}, static_cast<std::uint16_t>(2000 + i)};
    EXPECT_TRUE(lab.right.manager->on_datagram(to_right(base, from)).send.empty());
  }
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_EQ(lab.right.counter("ike.rx.unknown_peer"), 1000u);
}

TEST(Hostile, HigherMajorVersionRequestGetsInvalidMajorVersion) {
  Lab lab;
  Bytes req = init_request();
  req[17] = 0x30;  // IKE version 3.0
  Actions a = lab.right.manager->on_datagram(to_right(req));
  ASSERT_EQ(a.send.size(), 1u);
  auto reply = plain(a.send[0].data);
  ASSERT_TRUE(reply.has_value());
  EXPECT_NE(reply->notify(NotifyType::invalid_major_version), nullptr);
  EXPECT_EQ(reply->header.version, 0x20);  // the closest version we speak
  EXPECT_TRUE(reply->header.is_response());
  EXPECT_EQ(reply->header.spi_i.value, *ByteReader(req).u64());
  EXPECT_EQ(a.send[0].to, (Endpoint{kLeft, 500}));
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_EQ(lab.right.counter("ike.rx.invalid_major_version"), 1u);
  // A response with a version we do not speak is never answered.
  req[19] |= Header::kFlagResponse;
  EXPECT_TRUE(lab.right.manager->on_datagram(to_right(req)).send.empty());
  EXPECT_EQ(lab.right.counter("ike.rx.invalid_major_version"), 2u);
}

TEST(Hostile, HeaderLengthDisagreeingWithTheDatagramIsSilent) {
  Lab lab;
  Bytes req = init_request();
  for (std::uint32_t length : {static_cast<std::uint32_t>(req.size() + 1),
                               static_cast<std::uint32_t>(req.size() - 1), 28u, 0xffffffffu}) {
    Bytes bad = req;
    ByteWriter(bad).patch_u32(24, length);
    EXPECT_TRUE(lab.right.manager->on_datagram(to_right(bad)).send.empty()) << length;
  }
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_EQ(lab.right.counter("ike.rx.invalid_header"), 4u);
}

class HostileEstablished : public ::testing::Test {
 protected:
  void SetUp() override {
    lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
    lab.deliver();
    ASSERT_TRUE(lab.established());
  }
  Lab lab;
};

// 2.2: the request with the latest message ID is a retransmission, answered byte for byte
// from the cache; an older one (the IKE_AUTH request, ID 1) is dropped.
TEST_F(HostileEstablished, ReplayedRequestsAreAnsweredFromCacheOrDropped) {
  Bytes auth_request = lab.sent_by_left.at(1);
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& s) { return s.send_dpd(); }));
  lab.deliver();
  Bytes dpd_request = lab.sent_by_left.back();
  Bytes dpd_response = lab.sent_by_right.back();
  std::size_t sas = lab.right.manager->size();
  Actions a = lab.right.manager->on_datagram(to_right(dpd_request, {kLeft, 4500}));
  ASSERT_EQ(a.send.size(), 1u);
  EXPECT_EQ(a.send[0].data, dpd_response);
  EXPECT_EQ(lab.right.counter("ike.rx.retransmitted_request"), 1u);
  EXPECT_TRUE(lab.right.manager->on_datagram(to_right(auth_request)).send.empty());
  EXPECT_EQ(lab.right.counter("ike.rx.invalid_message_id"), 1u);
  EXPECT_EQ(lab.right.manager->size(), sas);
  EXPECT_EQ(lab.right.sa()->state(), IkeState::established);
}

// A truncated SK{} (Length fixed up) cannot pass the ICV: silent (2.21.2), the SA survives.
TEST_F(HostileEstablished, TruncatedEncryptedMessageIsSilent) {
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& s) { return s.send_dpd(); }));
  ASSERT_EQ(lab.in_flight(), 1u);
  Bytes req = lab.sent_by_left.back();
  req.resize(req.size() - 8);
  ByteWriter(req).patch_u32(24, static_cast<std::uint32_t>(req.size()));
  store_be16(&req[28 + 2], static_cast<std::uint16_t>(req.size() - 28));  // SK payload length
  EXPECT_TRUE(lab.right.manager->on_datagram(to_right(req)).send.empty());
  EXPECT_EQ(
      lab.right.counter("ike.rx.integrity_failed") + lab.right.counter("ike.rx.invalid_syntax"),
      1u);
  lab.deliver();  // the genuine request still gets its answer
  EXPECT_EQ(lab.left.counter("ike.dpd.sent"), 1u);
  EXPECT_TRUE(lab.established());
}

// 2.21.4 / 1.5: a response for an IKE_SA nobody owns MUST NOT be answered.
TEST_F(HostileEstablished, ResponseForUnknownSpiIsNeverAnswered) {
  Bytes resp = lab.sent_by_left.at(1);
  store_be32(&resp[8], load_be32(&resp[8]) ^ 0x5a5a5a5a);  // SPIr nobody has
  resp[19] |= Header::kFlagResponse;
  EXPECT_TRUE(lab.right.manager->on_datagram(to_right(resp)).send.empty());
  EXPECT_EQ(lab.right.counter("ike.rx.unknown_spi"), 1u);
}

}  // namespace
}  // namespace vpnlab::ike::test
