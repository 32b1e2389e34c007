// Reading the gateways' status into a drill's timeline (topology/drills/lab_state.hpp): what
// detected a fault, in the gateways' own words, and what is not back.
#include "topology/drills/lab_state.hpp"

#include <gtest/gtest.h>

namespace vpnlab::topology::drills {
namespace {

nlohmann::json gateway(const std::string& started, const std::string& tunnel_status,
                       const std::string& last_error, const std::string& bgp_state,
                       const std::string& reason, const nlohmann::json& bgp_error = nullptr) {
  return {
      {"started", started},
      {"tunnels", {{{"device", "aws0t1"}, {"status", tunnel_status}, {"last_error", last_error}}}},
      {"bgp",
       {{"peers",
         {{{"neighbor", "169.254.21.2"},
           {"bgpState", bgp_state},
           {"lastTransitionReason", reason},
           {"lastError", bgp_error}}}}}}};
}

TEST(LabState, DpdTakingATunnelDownIsTheDetection) {
  LabState before{
      {"aws-vgw", gateway_view(gateway("t0", "UP", "", "Established", "KEEPALIVE received"))}};
  LabState after{
      {"aws-vgw", gateway_view(gateway("t0", "DOWN", "peer not responding (dead peer detection)",
                                       "Idle", "manual stop"))}};
  auto events = diff(before, after, 6123);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "tunnel down");
  EXPECT_EQ(events[0].mechanism, "DPD");
  EXPECT_EQ(events[0].at_ms, 6123);
  EXPECT_EQ(events[1].kind, "bgp down");
  EXPECT_EQ(events[1].mechanism, "");  // a consequence: the tunnel's event is the detection
  EXPECT_EQ(events[1].detail, "stopped with its tunnel");
  auto detected = first_detection(events);
  ASSERT_TRUE(detected);
  EXPECT_EQ(detected->mechanism, "DPD");
  EXPECT_FALSE(all_back(after));
  auto missing = not_back(after);
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].what, "tunnel DOWN");
  EXPECT_EQ(missing[0].last_error, "peer not responding (dead peer detection)");
  EXPECT_TRUE(all_back(before));
}

TEST(LabState, BgpMechanismsComeFromTheTransitionReason) {
  EXPECT_EQ(
      bgp_mechanism("sent Hold Timer Expired/Unspecific: hold timer expired", "hold timer expired"),
      "BGP hold timer");
  EXPECT_EQ(bgp_mechanism("received Cease/Administrative Reset", "NOTIFICATION received"),
            "BGP NOTIFICATION Cease/Administrative Reset");
  EXPECT_EQ(bgp_mechanism("received Hold Timer Expired/Unspecific", "NOTIFICATION received"),
            "BGP hold timer (the peer's NOTIFICATION)");
  // A last error from an earlier session does not name this one's end.
  EXPECT_EQ(bgp_mechanism("received Cease/Administrative Reset", "TCP connection failed"),
            "BGP TCP connection lost");
  EXPECT_EQ(tunnel_mechanism("peer not responding (IKE retransmissions gave up)"),
            "IKE retransmission give-up");
  // The end that acted (the drill's own DELETE or Cease) did not detect anything.
  EXPECT_EQ(tunnel_mechanism("taken down by a drill (vpnlab tunnel down)"), "");
  EXPECT_EQ(
      bgp_mechanism("sent Cease/Administrative Reset: administrative reset", "NOTIFICATION sent"),
      "");
}

TEST(LabState, ARestartedGatewaysDownTunnelsAreNotADetection) {
  LabState before{{"azure-gw0", gateway_view(gateway("t0", "UP", "", "Established", ""))}};
  LabState gone = before;
  gone["azure-gw0"].answering = false;
  auto e1 = diff(before, gone, 10);
  ASSERT_EQ(e1.size(), 1u);
  EXPECT_EQ(e1[0].kind, "gateway not answering");
  LabState restarted{
      {"azure-gw0", gateway_view(gateway("t1", "DOWN", "", "Active", "automatic start"))}};
  auto e2 = diff(gone, restarted, 20);
  ASSERT_EQ(e2.size(), 3u);
  EXPECT_EQ(e2[0].kind, "gateway answering");
  EXPECT_TRUE(e2[1].mechanism.empty());
  EXPECT_EQ(e2[1].detail, "(gateway restarted)");
  EXPECT_FALSE(first_detection(e2));
  EXPECT_EQ(not_back(gone)[0].what, "gateway not answering");
}

}  // namespace
}  // namespace vpnlab::topology::drills
