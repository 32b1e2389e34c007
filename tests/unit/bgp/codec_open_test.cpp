// RFC 4271 §4.2 OPEN with RFC 5492 capabilities; §6.2 OPEN error handling.
#include <gtest/gtest.h>

#include "bgp/codec/message.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using test::cat;
using test::h;
using test::kMarker;

// The OPEN vpnlab sends as an AWS-like peer (AS 64512, hold 30, id 169.254.21.1) with
// MP IPv4 unicast, route refresh, graceful restart (120 s) and 4-octet AS.
const Bytes kOpen = cat({
    kMarker,        // Marker
    h("0035"),      // Length = 53
    h("01"),        // Type = OPEN
    h("04"),        // Version = 4
    h("fc00"),      // My Autonomous System = 64512
    h("001e"),      // Hold Time = 30
    h("a9fe1501"),  // BGP Identifier = 169.254.21.1
    h("18"),        // Opt Parm Len = 24
    h("02"),        // Parm. Type = Capabilities (RFC 5492 §4)
    h("16"),        // Parm. Length = 22
    h("01"),        // Capability Code = Multiprotocol (RFC 4760 §8)
    h("04"),        // Capability Length = 4
    h("0001"),      // AFI = IPv4
    h("00"),        // Reserved
    h("01"),        // SAFI = unicast
    h("02"),        // Capability Code = Route Refresh (RFC 2918 §2)
    h("00"),        // Capability Length = 0
    h("40"),        // Capability Code = Graceful Restart (RFC 4724 §3)
    h("06"),        // Capability Length = 6
    h("0078"),      // Restart Flags = 0, Restart Time = 120
    h("0001"),      // AFI = IPv4
    h("01"),        // SAFI = unicast
    h("00"),        // Flags for Address Family = 0
    h("41"),        // Capability Code = 4-octet AS (RFC 6793 §3)
    h("04"),        // Capability Length = 4
    h("0000fc00"),  // AS Number = 64512
});

OpenMessage aws_open() {
  Capabilities caps;
  caps.multiprotocol = {kIpv4Unicast};
  caps.route_refresh = true;
  caps.graceful_restart = GracefulRestartCapability{false, Seconds(120), {{kIpv4Unicast, false}}};
  return make_open(Asn{64512}, Seconds(30), *Ipv4Address::parse("169.254.21.1"), caps);
}

TEST(BgpOpen, EncodesFieldByField) {
  EXPECT_EQ(encode_open(aws_open()), kOpen);
}

TEST(BgpOpen, RoundTrip) {
  auto m = decode_message(kOpen, {});
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_EQ(std::get<OpenMessage>(*m), aws_open());
  EXPECT_EQ(std::get<OpenMessage>(*m).asn(), Asn{64512});
}

TEST(BgpOpen, FourOctetAsnUsesAsTrans) {
  auto open = make_open(Asn{4200000001}, Seconds(180), Ipv4Address{1}, {});
  EXPECT_EQ(open.my_as, kAsTrans.value);
  auto m = decode_message(encode_open(open), {});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<OpenMessage>(*m).asn(), Asn{4200000001});
}

Bytes patched(std::size_t at, std::initializer_list<std::uint8_t> v) {
  Bytes b = kOpen;
  std::copy(v.begin(), v.end(), b.begin() + at);
  return b;
}

struct OpenCase {
  const char* name;
  Bytes input;
  OpenSubcode subcode;
  Bytes data;
  std::size_t offset;
};

TEST(BgpOpen, ErrorsNameFieldAndNotification) {
  const std::vector<OpenCase> cases = {
      // RFC 4271 §6.2: Data = largest supported version.
      {"version 3", patched(19, {3}), OpenSubcode::unsupported_version_number, h("0004"), 19},
      {"hold time 1", patched(22, {0, 1}), OpenSubcode::unacceptable_hold_time, {}, 22},
      {"hold time 2", patched(22, {0, 2}), OpenSubcode::unacceptable_hold_time, {}, 22},
      {"identifier 0", patched(24, {0, 0, 0, 0}), OpenSubcode::bad_bgp_identifier, {}, 24},
      {"optional parameter type 1",
       patched(29, {1}),
       OpenSubcode::unsupported_optional_parameter,
       {},
       29},
      {"opt parm len too long", patched(28, {25}), OpenSubcode::unspecific, {}, 28},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = decode_message(c.input, {});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().notification.code, 2);
    EXPECT_EQ(m.error().notification.subcode, static_cast<std::uint8_t>(c.subcode));
    EXPECT_EQ(m.error().notification.data, c.data);
    EXPECT_EQ(m.error().offset, c.offset);
    EXPECT_NE(m.error().field.find("OPEN"), std::string::npos);
  }
}

TEST(BgpOpen, HoldTimeZeroIsAccepted) {
  auto m = decode_message(patched(22, {0, 0}), {});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<OpenMessage>(*m).hold_time, Seconds(0));
}

TEST(BgpOpen, CapabilityLengthOverrunIsAnError) {
  auto m = decode_message(patched(31, {1, 48}), {});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().offset, 31u);
}

TEST(BgpOpen, UnknownCapabilityIsKeptRaw) {
  Capabilities caps;
  caps.unknown = {RawCapability{70, {}}, RawCapability{73, h("02766d00")}};
  auto open = make_open(Asn{65000}, Seconds(180), Ipv4Address{7}, caps);
  auto m = decode_message(encode_open(open), {});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<OpenMessage>(*m), open);
}

}  // namespace
}  // namespace vpnlab::bgp
