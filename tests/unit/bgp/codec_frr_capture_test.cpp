// Messages pinned against FRR bgpd 8.4.4 (provenance in vectors/frr_8.4.4_capture.txt,
// captured by tests/interop/bgp/capture_frr.sh).
#include <gtest/gtest.h>

#include "bgp/codec/message.hpp"
#include "hex.hpp"

namespace vpnlab::bgp {
namespace {
using test::h;

const Bytes kFrrOpen =
    h("ffffffffffffffffffffffffffffffff005e0104fde800b40aff0002410206010400010001020280000202020002"
      "024600020641040000fde80202060002064504000101010206490402766d0002044002c078020947070001018000"
      "0000");
const Bytes kFrrUpdate =
    h("ffffffffffffffffffffffffffffffff0036020000001c400101005002000602010000fde8400304a9fe15028004"
      "0400000000100a01");

TEST(BgpFrrCapture, OpenDecodes) {
  auto m = decode_message(kFrrOpen, {});
  ASSERT_TRUE(m) << m.error().what();
  const auto& o = std::get<OpenMessage>(*m);
  EXPECT_EQ(o.asn(), Asn{65000});
  EXPECT_EQ(o.hold_time, Seconds(180));
  EXPECT_EQ(o.bgp_identifier.to_string(), "10.255.0.2");
  EXPECT_TRUE(o.capabilities.supports(kIpv4Unicast));
  EXPECT_TRUE(o.capabilities.route_refresh);
  ASSERT_TRUE(o.capabilities.graceful_restart);
  EXPECT_EQ(o.capabilities.graceful_restart->restart_time, Seconds(120));
  // Cisco route refresh (128), enhanced RR (70), extended message (6), ADD-PATH (69),
  // FQDN (73), LLGR (71).
  EXPECT_EQ(o.capabilities.unknown.size(), 6u);
}

TEST(BgpFrrCapture, KeepaliveMatchesOurs) {
  EXPECT_EQ(encode_keepalive(), h("ffffffffffffffffffffffffffffffff001304"));
}

TEST(BgpFrrCapture, UpdateDecodesAndReencodesEquivalently) {
  auto m = decode_message(kFrrUpdate, {});
  ASSERT_TRUE(m) << m.error().what();
  const auto& d = std::get<DecodedUpdate>(*m);
  EXPECT_EQ(d.action, Rfc7606Action::none);
  const auto& a = d.update.attrs;
  EXPECT_EQ(a.origin, Origin::igp);
  EXPECT_EQ(a.as_path->to_string(), "65000");
  EXPECT_EQ(a.next_hop->to_string(), "169.254.21.2");
  EXPECT_EQ(a.med, 0u);
  ASSERT_EQ(d.update.nlri.size(), 1u);
  EXPECT_EQ(d.update.nlri[0].to_string(), "10.1.0.0/16");
  // FRR sets Extended Length on AS_PATH (flags 0x50); we do not, so the bytes differ by
  // one octet of length while the decoded message is identical.
  Bytes ours = encode_update(d.update, {});
  EXPECT_EQ(ours.size() + 1, kFrrUpdate.size());
  auto again = decode_message(ours, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(std::get<DecodedUpdate>(*again).update, d.update);
}

}  // namespace
}  // namespace vpnlab::bgp
