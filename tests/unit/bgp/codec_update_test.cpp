// RFC 4271 §4.3 UPDATE vectors, End-of-RIB (RFC 4724 §2), AS4_PATH handling with 2-octet
// peers (RFC 6793 §4.2), and decode(encode(x)) == x for every message type vpnlab sends.
#include <gtest/gtest.h>

#include "bgp/codec/message.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using test::cat;
using test::h;
using test::kMarker;

Ipv4Prefix pfx(const char* s) {
  return *Ipv4Prefix::parse(s);
}
Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}

const Bytes kUpdate = cat({
    kMarker,                       // Marker
    h("0051"),                     // Length = 81
    h("02"),                       // Type = UPDATE
    h("0003"),                     // Withdrawn Routes Length = 3
    h("10 0a09"),                  // Withdrawn: 10.9.0.0/16
    h("0030"),                     // Total Path Attribute Length = 48
    h("40 01 01 00"),              // ORIGIN (well-known transitive) = IGP
    h("40 02 14"),                 // AS_PATH, length 20
    h("02 02 0000fc00 0000fde8"),  //   AS_SEQUENCE 64512 65000
    h("01 02 00000001 00000002"),  //   AS_SET {1,2}
    h("40 03 04 a9fe1501"),        // NEXT_HOP = 169.254.21.1
    h("80 04 04 00000032"),        // MULTI_EXIT_DISC (optional) = 50
    h("c0 08 04 fde80064"),        // COMMUNITIES (optional transitive) = 65000:100
    h("10 0a02"),                  // NLRI: 10.2.0.0/16
    h("18 0a0301"),                // NLRI: 10.3.1.0/24
});

UpdateMessage sample_update() {
  UpdateMessage u;
  u.withdrawn = {pfx("10.9.0.0/16")};
  u.attrs.origin = Origin::igp;
  u.attrs.as_path = AsPath{{{SegmentType::as_sequence, {Asn{64512}, Asn{65000}}},
                            {SegmentType::as_set, {Asn{1}, Asn{2}}}}};
  u.attrs.next_hop = ip("169.254.21.1");
  u.attrs.med = 50;
  u.attrs.communities = {0xfde80064};
  u.nlri = {pfx("10.2.0.0/16"), pfx("10.3.1.0/24")};
  return u;
}

TEST(BgpUpdate, EncodesFieldByField) {
  EXPECT_EQ(encode_update(sample_update(), {}), kUpdate);
}

TEST(BgpUpdate, DecodesVector) {
  auto m = decode_message(kUpdate, {});
  ASSERT_TRUE(m) << m.error().what();
  const auto& d = std::get<DecodedUpdate>(*m);
  EXPECT_EQ(d.action, Rfc7606Action::none);
  EXPECT_EQ(d.update, sample_update());
  EXPECT_EQ(d.update.attrs.as_path->length(), 3u);  // RFC 4271 §9.1.2.2 a): AS_SET counts 1
  EXPECT_EQ(d.update.attrs.as_path->to_string(), "64512 65000 {1,2}");
}

TEST(BgpUpdate, EndOfRibIsTheEmptyUpdate) {
  const Bytes expected = cat({kMarker,      // Marker
                              h("0017"),    // Length = 23
                              h("02"),      // Type = UPDATE
                              h("0000"),    // Withdrawn Routes Length = 0
                              h("0000")});  // Total Path Attribute Length = 0
  EXPECT_EQ(encode_end_of_rib(), expected);
  auto m = decode_message(expected, {});
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::get<DecodedUpdate>(*m).update.is_end_of_rib());
  EXPECT_FALSE(sample_update().is_end_of_rib());
}

TEST(BgpUpdate, MpUnreachEmptyIsEndOfRib) {
  UpdateMessage u;
  u.attrs.mp_unreach = MpUnreach{kIpv4Unicast, {}};
  auto m = decode_message(encode_update(u, {}), {});
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::get<DecodedUpdate>(*m).update.is_end_of_rib());
}

TEST(BgpUpdate, MpReachIpv4RoundTrip) {
  UpdateMessage u;
  u.attrs.origin = Origin::incomplete;
  u.attrs.as_path = AsPath{};
  u.attrs.mp_reach = MpReach{kIpv4Unicast, h("a9fe1502"), {pfx("192.168.0.0/24")}};
  u.attrs.mp_unreach = MpUnreach{kIpv4Unicast, {pfx("172.16.0.0/12")}};
  auto m = decode_message(encode_update(u, {}), {});
  ASSERT_TRUE(m) << m.error().what();
  const auto& d = std::get<DecodedUpdate>(*m);
  EXPECT_EQ(d.update, u);
  EXPECT_EQ(d.update.announced(), std::vector<Ipv4Prefix>{pfx("192.168.0.0/24")});
  EXPECT_EQ(d.update.withdrawn_all(), std::vector<Ipv4Prefix>{pfx("172.16.0.0/12")});
}

TEST(BgpUpdate, EveryAttributeRoundTripsOnBothSessionKinds) {
  UpdateMessage u = sample_update();
  u.attrs.atomic_aggregate = true;
  u.attrs.aggregator = Aggregator{Asn{4200000001}, ip("10.255.0.9")};
  u.attrs.as_path->segments[0].asns.push_back(Asn{4200000001});
  u.attrs.unknown = {RawAttribute{0xe0, 99, h("0102")}};  // optional transitive + Partial
  for (bool four : {true, false}) {
    SCOPED_TRACE(four ? "4-octet session" : "2-octet session (AS4_PATH, AS4_AGGREGATOR)");
    CodecOptions opts{four, true};
    auto m = decode_message(encode_update(u, opts), opts);
    ASSERT_TRUE(m) << m.error().what();
    EXPECT_EQ(std::get<DecodedUpdate>(*m).update, u);
  }
}

TEST(BgpUpdate, LocalPrefOnlyOnInternalSessions) {
  UpdateMessage u = sample_update();
  u.attrs.local_pref = 200;
  CodecOptions ibgp{true, false};
  auto m = decode_message(encode_update(u, ibgp), ibgp);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<DecodedUpdate>(*m).update.attrs.local_pref, 200u);
  // RFC 4271 §5.1.5: not sent to external peers.
  EXPECT_EQ(encode_update(u, {}), kUpdate);
}

// RFC 6793 §4.2.3: an OLD speaker (65001) prepended itself in front of a path that a NEW
// speaker had sent with AS_TRANS: AS_PATH 65001 23456 65000, AS4_PATH 4200000001 65000.
TEST(BgpUpdate, As4PathMergeFromTwoOctetPeer) {
  const Bytes attrs = cat({h("40 01 01 00"),                         // ORIGIN = IGP
                           h("40 02 08 02 03 fde9 5ba0 fde8"),       // AS_PATH 65001 23456 65000
                           h("40 03 04 a9fe1501"),                   // NEXT_HOP
                           h("c0 11 0a 02 02 fa56ea01 0000fde8")});  // AS4_PATH
  Bytes body = cat({h("0000"), h("0023"), attrs, h("10 0a02")});
  Bytes msg = cat({kMarker, h("003d"), h("02"), body});
  auto m = decode_message(msg, CodecOptions{false, true});
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_EQ(std::get<DecodedUpdate>(*m).update.attrs.as_path->to_string(),
            "65001 4200000001 65000");
}

TEST(BgpUpdate, As4PathShorterAsPathIgnoresAs4) {
  AsPath two{{{SegmentType::as_sequence, {Asn{23456}}}}};
  AsPath four{{{SegmentType::as_sequence, {Asn{4200000001}, Asn{65000}}}}};
  EXPECT_EQ(merge_as4_path(two, four), two);
}

TEST(BgpUpdate, PrependExtendsLeadingSequence) {
  AsPath p{{{SegmentType::as_set, {Asn{1}}}}};
  p.prepend(Asn{65000}, 2);
  EXPECT_EQ(p.to_string(), "65000 65000 {1}");
  EXPECT_EQ(p.length(), 3u);
  EXPECT_EQ(p.first(), Asn{65000});
}

}  // namespace
}  // namespace vpnlab::bgp
