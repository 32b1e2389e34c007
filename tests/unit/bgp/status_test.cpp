// Status shapes the CLI renders: Azure peer-status values (cloud-facts §2.4 [Z-API, Z-DIAG])
// and AWS VgwTelemetry StatusMessage (cloud-facts §1.4 [A-CLI]), and the JSON view.
#include <gtest/gtest.h>

#include "bgp/core/status.hpp"

namespace vpnlab::bgp {
namespace {

TEST(BgpStatus, AzureStateValues) {
  PeerStatus p;
  p.state = BgpState::established;
  EXPECT_STREQ(azure_state(p), "Connected");
  p.state = BgpState::open_sent;
  EXPECT_STREQ(azure_state(p), "Connecting");
  p.state = BgpState::active;
  EXPECT_STREQ(azure_state(p), "Connecting");
  p.state = BgpState::idle;
  EXPECT_STREQ(azure_state(p), "Idle");
  p.stopped = true;
  EXPECT_STREQ(azure_state(p), "Stopped");
}

TEST(BgpStatus, AzureDurationFormat) {
  EXPECT_EQ(azure_duration(Seconds(9 * 86400 + 3600 + 4 * 60 + 53)), "9.01:04:53");
  EXPECT_EQ(azure_duration(Seconds(0)), "0.00:00:00");
}

TEST(BgpStatus, AwsTelemetry) {
  PeerStatus p;
  EXPECT_EQ(aws_status(p), "DOWN");
  p.state = BgpState::established;
  p.routes_received = 3;
  EXPECT_EQ(aws_status(p), "UP");
  EXPECT_EQ(aws_status_message(p), "3 BGP ROUTES");
}

TEST(BgpStatus, JsonCarriesPeersAndRoutes) {
  Status s;
  s.asn = Asn{65515};
  s.router_id = *Ipv4Address::parse("169.254.21.2");
  PeerStatus p;
  p.peer_address = *Ipv4Address::parse("169.254.21.1");
  p.asn = Asn{64512};
  p.state = BgpState::established;
  p.messages_sent = 7;
  p.last_error = LastError{{6, 1, {}}, false, "received Cease/\"x\""};
  RouteView r;
  r.prefix = *Ipv4Prefix::parse("10.2.0.0/16");
  r.next_hop = p.peer_address;
  r.as_path = "64512";
  r.med = 100;
  p.learned.push_back(r);
  s.peers.push_back(p);
  std::string j = to_json(s);
  for (const char* want :
       {"\"neighbor\":\"169.254.21.1\"", "\"asn\":64512", "\"state\":\"Connected\"",
        "\"bgpState\":\"Established\"", "\"messagesSent\":7", "\"network\":\"10.2.0.0/16\"",
        "\"asPath\":\"64512\"", "\"med\":100", "\"origin\":\"IGP\"",
        "\"lastError\":\"received Cease/\\\"x\\\"\"", "\"awsStatusMessage\":\"0 BGP ROUTES\""})
    EXPECT_NE(j.find(want), std::string::npos) << want << " in " << j;
}

}  // namespace
}  // namespace vpnlab::bgp

namespace vpnlab::bgp {
namespace {

// Issue 11: status carries the last NOTIFICATION decoded, with who sent it and why.
TEST(BgpStatus, JsonCarriesLastErrorDetail) {
  Status s;
  PeerStatus p;
  p.peer_address = *Ipv4Address::parse("169.254.21.2");
  p.last_error = LastError{{6, 1, {0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x64}},
                           true,
                           "sent Cease/Maximum Number of Prefixes Reached: more than 100 prefixes",
                           "more than 100 prefixes"};
  s.peers.push_back(p);
  std::string j = to_json(s);
  for (const char* want :
       {"\"lastErrorDetail\":{\"direction\":\"sent\"", "\"code\":6", "\"subcode\":1",
        "\"name\":\"Cease/Maximum Number of Prefixes Reached\"", "\"codeName\":\"Cease\"",
        "\"data\":\"00010100000064\"", "\"dataText\":\"IPv4 unicast, upper bound 100\"",
        "\"reason\":\"more than 100 prefixes\""})
    EXPECT_NE(j.find(want), std::string::npos) << want << " in " << j;
  s.peers[0].last_error.reset();
  EXPECT_NE(to_json(s).find("\"lastErrorDetail\":null"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::bgp
