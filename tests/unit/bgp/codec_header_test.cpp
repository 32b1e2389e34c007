// RFC 4271 §4.1 header and §6.1 header error handling; KEEPALIVE, NOTIFICATION and
// ROUTE-REFRESH vectors (no published vectors exist: fields written one per line).
#include <gtest/gtest.h>

#include "bgp/codec/message.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using test::cat;
using test::h;
using test::kMarker;

TEST(BgpHeader, KeepaliveVector) {
  const Bytes expected = cat({kMarker,    // Marker
                              h("0013"),  // Length = 19
                              h("04")});  // Type = KEEPALIVE
  EXPECT_EQ(encode_keepalive(), expected);
  auto m = decode_message(expected, {});
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_TRUE(std::holds_alternative<KeepaliveMessage>(*m));
}

TEST(BgpHeader, NotificationVectorRoundTrip) {
  const Bytes expected = cat({kMarker,          // Marker
                              h("001c"),        // Length = 28
                              h("03"),          // Type = NOTIFICATION
                              h("06"),          // Error code = Cease
                              h("01"),          // Error subcode = Max Prefixes Reached
                              h("0001"),        // Data: AFI = IPv4 (RFC 4486 §4)
                              h("01"),          // Data: SAFI = unicast
                              h("00000064")});  // Data: prefix upper bound = 100
  Notification n{6, 1, h("00010100000064")};
  EXPECT_EQ(encode_notification(n), expected);
  auto m = decode_message(expected, {});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<NotificationMessage>(*m), n);
}

TEST(BgpHeader, RouteRefreshVectorRoundTrip) {
  const Bytes expected = cat({kMarker,    // Marker
                              h("0017"),  // Length = 23
                              h("05"),    // Type = ROUTE-REFRESH (RFC 2918 §3)
                              h("0001"),  // AFI = IPv4
                              h("00"),    // Reserved
                              h("01")});  // SAFI = unicast
  EXPECT_EQ(encode_route_refresh({}), expected);
  auto m = decode_message(expected, {});
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<RouteRefreshMessage>(*m).afi_safi, kIpv4Unicast);
}

struct HeaderCase {
  const char* name;
  Bytes input;
  HeaderSubcode subcode;
  Bytes data;
};

TEST(BgpHeader, ErrorsCarryTheNotification) {
  const std::vector<HeaderCase> cases = {
      {"marker not all ones",
       cat({h("fffffffffffffffffffffffffffffffe"), h("0013"), h("04")}),
       HeaderSubcode::connection_not_synchronized,
       {}},
      {"length below 19", cat({kMarker, h("0012"), h("04")}), HeaderSubcode::bad_message_length,
       h("0012")},
      {"length above 4096", cat({kMarker, h("1001"), h("04")}), HeaderSubcode::bad_message_length,
       h("1001")},
      {"unknown type 9", cat({kMarker, h("0013"), h("09")}), HeaderSubcode::bad_message_type,
       h("09")},
      {"KEEPALIVE longer than 19", cat({kMarker, h("0014"), h("04"), h("00")}),
       HeaderSubcode::bad_message_length, h("0014")},
      {"OPEN shorter than 29", cat({kMarker, h("0014"), h("01"), h("04")}),
       HeaderSubcode::bad_message_length, h("0014")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = decode_message(c.input, {});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().notification.code, 1);
    EXPECT_EQ(m.error().notification.subcode, static_cast<std::uint8_t>(c.subcode));
    EXPECT_EQ(m.error().notification.data, c.data);
    EXPECT_EQ(m.error().action, Rfc7606Action::session_reset);
    EXPECT_NE(m.error().what().find("header"), std::string::npos);
  }
}

TEST(BgpHeader, FrameLengthNeedsWholeHeader) {
  Bytes ka = encode_keepalive();
  EXPECT_FALSE(frame_length(ByteSpan(ka).first(18)));
  EXPECT_EQ(frame_length(ka), 19u);
}

// The counter of a NOTIFICATION sent: the RFC's names in snake case (status, log reasons).
TEST(BgpHeader, NotificationCounterNamesCodeAndSubcode) {
  EXPECT_EQ(notification_counter(3, 1),
            "bgp.tx.notification.update_message_error.malformed_attribute_list");
  EXPECT_EQ(notification_counter(2, 1),
            "bgp.tx.notification.open_message_error.unsupported_version_number");
  EXPECT_EQ(notification_counter(1, 2),
            "bgp.tx.notification.message_header_error.bad_message_length");
  EXPECT_EQ(notification_counter(4, 0), "bgp.tx.notification.hold_timer_expired.unspecific");
}

}  // namespace
}  // namespace vpnlab::bgp
