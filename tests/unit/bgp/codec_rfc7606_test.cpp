// RFC 7606 revised error handling: one case per rule, each checking the action, the
// NOTIFICATION subcode it would carry, and what is left of the UPDATE.
#include <gtest/gtest.h>

#include "bgp/codec/message.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using test::cat;
using test::h;
using test::kMarker;

const Bytes kOrigin = h("40 01 01 00");              // ORIGIN = IGP
const Bytes kAsPath = h("40 02 06 02 01 0000fc00");  // AS_PATH = 64512
const Bytes kNextHop = h("40 03 04 a9fe1501");       // NEXT_HOP = 169.254.21.1
const Bytes kNlri = h("10 0a02");                    // 10.2.0.0/16

Bytes update_msg(const Bytes& attrs, const Bytes& nlri = kNlri, const Bytes& withdrawn = {}) {
  Bytes body;
  ByteWriter w(body);
  w.u16(static_cast<std::uint16_t>(withdrawn.size()));
  w.bytes(withdrawn);
  w.u16(static_cast<std::uint16_t>(attrs.size()));
  w.bytes(attrs);
  w.bytes(nlri);
  Bytes msg = kMarker;
  ByteWriter m(msg);
  m.u16(static_cast<std::uint16_t>(19 + body.size()));
  m.u8(2);
  m.bytes(body);
  return msg;
}

Ipv4Prefix pfx(const char* s) {
  return *Ipv4Prefix::parse(s);
}

struct Case {
  const char* name;  // the RFC rule
  Bytes attrs;
  Rfc7606Action action;
  std::uint8_t subcode;  // of the first recorded error (0 = none expected)
};

TEST(BgpRfc7606, NonFatalActions) {
  const std::vector<Case> cases = {
      {"§7.1 ORIGIN value 3", cat({h("40 01 01 03"), kAsPath, kNextHop}),
       Rfc7606Action::treat_as_withdraw, 6},
      {"§7.1 ORIGIN length 2", cat({h("40 01 02 0000"), kAsPath, kNextHop}),
       Rfc7606Action::treat_as_withdraw, 5},
      {"§7.2 AS_PATH segment overrun", cat({kOrigin, h("40 02 06 02 02 0000fc00"), kNextHop}),
       Rfc7606Action::treat_as_withdraw, 11},
      {"§7.2 AS_PATH segment type 5", cat({kOrigin, h("40 02 06 05 01 0000fc00"), kNextHop}),
       Rfc7606Action::treat_as_withdraw, 11},
      {"§7.2 AS_PATH zero segment length", cat({kOrigin, h("40 02 02 02 00"), kNextHop}),
       Rfc7606Action::treat_as_withdraw, 11},
      {"§7.3 NEXT_HOP 0.0.0.0", cat({kOrigin, kAsPath, h("40 03 04 00000000")}),
       Rfc7606Action::treat_as_withdraw, 8},
      {"§7.3 NEXT_HOP length 5", cat({kOrigin, kAsPath, h("40 03 05 a9fe150100")}),
       Rfc7606Action::treat_as_withdraw, 5},
      {"§7.4 MED length 3", cat({kOrigin, kAsPath, kNextHop, h("80 04 03 000001")}),
       Rfc7606Action::treat_as_withdraw, 5},
      {"§7.6 ATOMIC_AGGREGATE length 1", cat({kOrigin, kAsPath, kNextHop, h("40 06 01 00")}),
       Rfc7606Action::attribute_discard, 5},
      {"§7.7 AGGREGATOR length 5", cat({kOrigin, kAsPath, kNextHop, h("c0 07 05 0000000001")}),
       Rfc7606Action::attribute_discard, 5},
      {"§7.8 COMMUNITIES length 3", cat({kOrigin, kAsPath, kNextHop, h("c0 08 03 000001")}),
       Rfc7606Action::treat_as_withdraw, 5},
      {"§3(c) ORIGIN with Optional flag", cat({h("c0 01 01 00"), kAsPath, kNextHop}),
       Rfc7606Action::treat_as_withdraw, 4},
      {"§3(d) NEXT_HOP missing", cat({kOrigin, kAsPath}), Rfc7606Action::treat_as_withdraw, 3},
      {"§3(g) MED twice: keep the first",
       cat({kOrigin, kAsPath, kNextHop, h("80 04 04 00000001"), h("80 04 04 00000002")}),
       Rfc7606Action::attribute_discard, 1},
      {"§4 attribute length overruns the field", cat({kOrigin, kAsPath, h("40 03 09 a9fe1501")}),
       Rfc7606Action::treat_as_withdraw, 1},
      {"RFC 4271 §5: optional non-transitive unknown ignored",
       cat({kOrigin, kAsPath, kNextHop, h("80 63 01 00")}), Rfc7606Action::none, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = decode_message(update_msg(c.attrs), {});
    ASSERT_TRUE(m) << m.error().what();
    const auto& d = std::get<DecodedUpdate>(*m);
    EXPECT_EQ(d.action, c.action);
    if (c.subcode == 0) {
      EXPECT_TRUE(d.errors.empty());
      continue;
    }
    ASSERT_FALSE(d.errors.empty());
    EXPECT_EQ(d.errors[0].notification.code, 3);
    EXPECT_EQ(d.errors[0].notification.subcode, c.subcode);
    EXPECT_NE(d.errors[0].what().find("UPDATE"), std::string::npos);
    if (c.action == Rfc7606Action::treat_as_withdraw) {
      EXPECT_TRUE(d.update.nlri.empty());
      EXPECT_EQ(d.update.withdrawn, std::vector<Ipv4Prefix>{pfx("10.2.0.0/16")});
      EXPECT_TRUE(d.update.attrs.empty());
    } else {
      EXPECT_EQ(d.update.nlri, std::vector<Ipv4Prefix>{pfx("10.2.0.0/16")});
    }
  }
}

TEST(BgpRfc7606, DiscardKeepsRouteWithoutTheAttribute) {
  auto m = decode_message(update_msg(cat({kOrigin, kAsPath, kNextHop, h("40 06 01 00"),
                                          h("80 04 04 00000007"), h("80 04 04 00000009")})),
                          {});
  ASSERT_TRUE(m);
  const auto& a = std::get<DecodedUpdate>(*m).update.attrs;
  EXPECT_FALSE(a.atomic_aggregate);
  EXPECT_EQ(a.med, 7u);
  EXPECT_EQ(std::get<DecodedUpdate>(*m).errors.size(), 2u);
}

TEST(BgpRfc7606, ErrorNamesAttributeAndOffset) {
  // ORIGIN starts right after header (19) + withdrawn length (2) + attr length (2) = 23.
  auto m = decode_message(update_msg(cat({h("40 01 01 07"), kAsPath, kNextHop})), {});
  ASSERT_TRUE(m);
  const auto& e = std::get<DecodedUpdate>(*m).errors.at(0);
  EXPECT_EQ(e.field, "UPDATE attribute ORIGIN (type 1)");
  EXPECT_EQ(e.offset, 23u);
  EXPECT_EQ(e.notification.data, h("40 01 01 07"));  // RFC 4271 §6.3: the attribute
}

TEST(BgpRfc7606, LocalPrefFromExternalPeerIsIgnored) {
  Bytes attrs = cat({kOrigin, kAsPath, kNextHop, h("40 05 04 00000064")});
  auto ebgp = decode_message(update_msg(attrs), CodecOptions{true, true});
  auto ibgp = decode_message(update_msg(attrs), CodecOptions{true, false});
  ASSERT_TRUE(ebgp && ibgp);
  EXPECT_FALSE(std::get<DecodedUpdate>(*ebgp).update.attrs.local_pref);
  EXPECT_EQ(std::get<DecodedUpdate>(*ibgp).update.attrs.local_pref, 100u);
}

TEST(BgpRfc7606, MalformedAs4PathIsDiscarded) {
  // RFC 6793 §6: 2-octet session, AS4_PATH with a confederation segment.
  Bytes attrs = cat({kOrigin, h("40 02 04 02 01 fc00"), kNextHop, h("c0 11 06 03 01 fa56ea01")});
  auto m = decode_message(update_msg(attrs), CodecOptions{false, true});
  ASSERT_TRUE(m);
  const auto& d = std::get<DecodedUpdate>(*m);
  EXPECT_EQ(d.action, Rfc7606Action::attribute_discard);
  EXPECT_EQ(d.update.attrs.as_path->to_string(), "64512");
}

TEST(BgpRfc7606, UnknownOptionalTransitiveGetsPartialBit) {
  auto m = decode_message(update_msg(cat({kOrigin, kAsPath, kNextHop, h("c0 63 01 aa")})), {});
  ASSERT_TRUE(m);
  const auto& u = std::get<DecodedUpdate>(*m).update.attrs.unknown;
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].flags, 0xe0);
  EXPECT_EQ(u[0].code, 0x63);
}

struct FatalCase {
  const char* name;
  Bytes msg;
  std::uint8_t subcode;
};

TEST(BgpRfc7606, SessionResetWhereItMust) {
  const std::vector<FatalCase> cases = {
      {"§3(g) MP_REACH_NLRI twice",
       update_msg(cat({kOrigin, kAsPath, h("80 0e 09 0001 01 04 a9fe1501 00"),
                       h("80 0e 09 0001 01 04 a9fe1501 00")}),
                  {}),
       1},
      {"§7.11 MP_REACH_NLRI IPv4 next hop length 5",
       update_msg(cat({kOrigin, kAsPath, h("80 0e 0a 0001 01 05 a9fe150100 00")}), {}), 9},
      {"RFC 4271 §6.3 unrecognized well-known attribute",
       update_msg(cat({kOrigin, kAsPath, kNextHop, h("40 63 01 00")})), 2},
      {"§5.3 NLRI prefix length 33",
       update_msg(cat({kOrigin, kAsPath, kNextHop}), h("21 0a020000 00")), 10},
      {"§5.3 withdrawn prefix overruns", update_msg({}, {}, h("18 0a02")), 10},
      {"RFC 4271 §6.3 lengths overrun the message",
       cat({kMarker, h("0017"), h("02"), h("0005"), h("0000")}), 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = decode_message(c.msg, {});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().action, Rfc7606Action::session_reset);
    EXPECT_EQ(m.error().notification.code, 3);
    EXPECT_EQ(m.error().notification.subcode, c.subcode);
  }
}

}  // namespace
}  // namespace vpnlab::bgp
