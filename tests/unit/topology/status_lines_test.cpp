// The human status lines that decode a BGP peer's last error and a CHILD_SA's / tunnel's
// drops by reason (issue 11), from status documents as a gateway or a real node answers them.
#include <gtest/gtest.h>

#include "topology/status_lines.hpp"

namespace vpnlab::topology {
namespace {

using nlohmann::json;

TEST(StatusLines, BgpLastErrorSentByUsWithData) {
  json peer = json::parse(R"({"neighbor": "169.254.21.2",
    "lastError": "sent Cease/Maximum Number of Prefixes Reached: more than 100 prefixes",
    "lastErrorDetail": {"direction": "sent", "code": 6, "subcode": 1,
      "name": "Cease/Maximum Number of Prefixes Reached", "codeName": "Cease",
      "subcodeName": "Maximum Number of Prefixes Reached", "data": "00010100000064",
      "dataText": "IPv4 unicast, upper bound 100", "reason": "more than 100 prefixes"}})");
  EXPECT_EQ(bgp_last_error_text(peer),
            "Cease/Maximum Number of Prefixes Reached: more than 100 prefixes "
            "(sent; IPv4 unicast, upper bound 100)");
}

TEST(StatusLines, BgpLastErrorReceivedWithoutReason) {
  json peer = json::parse(R"({"lastErrorDetail": {"direction": "received", "code": 4,
    "subcode": 0, "name": "Hold Timer Expired", "data": "", "dataText": "", "reason": ""}})");
  EXPECT_EQ(bgp_last_error_text(peer), "Hold Timer Expired (received)");
}

TEST(StatusLines, BgpLastErrorFromARealNodeIsItsText) {
  EXPECT_EQ(bgp_last_error_text(
                json::parse(R"({"lastError": "Received: Maximum number of prefixes reached"})")),
            "Received: Maximum number of prefixes reached");
  EXPECT_EQ(bgp_last_error_text(json::parse(R"({"lastError": null, "lastErrorDetail": null})")),
            "");
  EXPECT_EQ(bgp_last_error_text(json()), "");
}

json all_drops() {
  json d = json::object();
  for (const char* r :
       {"too_short", "unknown_spi", "spi_mismatch", "replay", "auth_failed", "bad_length",
        "bad_padding", "bad_next_header", "bad_inner_packet", "dummy_packet", "no_room",
        "seq_exhausted", "lifetime_expired", "crypto_error"})
    d[r] = 0;
  return d;
}

TEST(StatusLines, SaDropsNameAuthAndReplayThenEveryOtherReason) {
  json in = {{"bytes", 509}, {"packets", 7}, {"drops", all_drops()}};
  EXPECT_EQ(sa_drops_text(in, true), "dropped 0: auth_failed 0, replay 0");
  in["drops"]["auth_failed"] = 3;
  in["drops"]["bad_padding"] = 2;
  in["drops"]["dummy_packet"] = 1;
  EXPECT_EQ(sa_drops_text(in, true),
            "dropped 6: auth_failed 3, replay 0, bad_padding 2, dummy_packet 1");
  json out = {{"bytes", 1}, {"packets", 1}, {"drops", all_drops()}};
  EXPECT_EQ(sa_drops_text(out, false), "dropped 0");
  out["drops"]["seq_exhausted"] = 4;
  EXPECT_EQ(sa_drops_text(out, false), "dropped 4: seq_exhausted 4");
}

TEST(StatusLines, SaDropsOfARealNodeWithoutReasons) {
  json in = {{"bytes", 1}, {"packets", 1}, {"auth_failures", 2}, {"replay_drops", 1}};
  EXPECT_EQ(sa_drops_text(in, true), "dropped 3: auth_failed 2, replay 1");
  EXPECT_EQ(sa_drops_text(json(), true), "dropped ?");
}

TEST(StatusLines, CounterDropsListEveryDropCounter) {
  json c = {{"dp.rx.bytes", 100},     {"dp.rx.packets", 2},
            {"dp.rx.drop.replay", 2}, {"dp.tx.drop.no_outbound_sa", 12},
            {"dp.tx.mss_clamped", 5}, {"dp.rx.drop.tun_write_failed", 0}};
  EXPECT_EQ(counter_drops_text(c), "rx replay 2, tx no_outbound_sa 12");
  EXPECT_EQ(counter_drops_text(json::object()), "none");
  EXPECT_EQ(counter_drops_text(json()), "none");
}

}  // namespace
}  // namespace vpnlab::topology
