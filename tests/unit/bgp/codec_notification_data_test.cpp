// What status prints for a NOTIFICATION's Data field: RFC 4486 §4 (Cease/Maximum Number of
// Prefixes Reached: AFI, SAFI, upper bound), RFC 9003 §2 (shutdown communication), RFC 4271
// §6.1/§6.2 numbers, hex otherwise; short or inconsistent data is named, never over-read.
#include <gtest/gtest.h>

#include "bgp/codec/notification_data.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using test::h;

Notification n(std::uint8_t code, std::uint8_t sub, const char* data_hex) {
  return Notification{code, sub, h(data_hex)};
}

TEST(NotificationData, Cases) {
  struct Case {
    const char* name;
    Notification in;
    const char* name_text;
    const char* data_text;
  };
  const Case cases[] = {
      {"max prefixes, RFC 4486 §4",
       n(6, 1,
         "0001"
         "01"
         "00000064"),
       "Cease/Maximum Number of Prefixes Reached", "IPv4 unicast, upper bound 100"},
      {"max prefixes without data", n(6, 1, ""), "Cease/Maximum Number of Prefixes Reached", ""},
      {"max prefixes, short data", n(6, 1, "000101"), "Cease/Maximum Number of Prefixes Reached",
       "data 000101 (RFC 4486 §4 expects 7 octets)"},
      {"shutdown communication, RFC 9003",
       n(6, 2,
         "05"
         "6d61696e74"),
       "Cease/Administrative Shutdown", "\"maint\""},
      {"shutdown length past data",
       n(6, 4,
         "09"
         "6d61"),
       "Cease/Administrative Reset", "data 096d61 (shutdown communication length past the data)"},
      {"bad peer AS", n(2, 2, "fde8"), "OPEN Message Error/Bad Peer AS", "AS 65000"},
      {"bad message length", n(1, 2, "0fff"), "Message Header Error/Bad Message Length",
       "length 4095"},
      {"hold timer, no data", n(4, 0, ""), "Hold Timer Expired", ""},
      {"other data in hex", n(3, 1, "c0ffee"), "UPDATE Message Error/Malformed Attribute List",
       "data c0ffee"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(notification_name(c.in), c.name_text);
    EXPECT_EQ(describe_notification_data(c.in), c.data_text);
  }
}

}  // namespace
}  // namespace vpnlab::bgp
