// A drill's report from what it measured (topology/drills/report.hpp, report_json.hpp,
// timeline_svg.hpp): the outage from the probe stream's losses, the text, the JSON and the
// timeline picture.
#include <gtest/gtest.h>

#include "topology/drills/report.hpp"
#include "topology/drills/report_json.hpp"
#include "topology/drills/timeline_svg.hpp"

namespace vpnlab::topology::drills {
namespace {

// 1000 pps, 100 ms buckets; the stream started 1 s before the fault and ran 4 s.
// VM -> host lost sequence numbers 1500-1799 (0.5 s to 0.8 s after the fault); host -> VM
// lost 1600-1649.
DrillReport measured() {
  std::vector<std::uint8_t> a(4000, 1), b(4000, 1);
  for (int i = 1500; i < 1800; ++i) a[i] = 0;
  for (int i = 1600; i < 1650; ++i) b[i] = 0;
  DrillReport r;
  r.lab = "dr1";
  r.command = "fail";
  r.target = "crash:azure-gw0";
  r.time_factor = 0.2;
  r.wait_s = 18;
  r.hold_s = 1;
  r.probe_a = "10.1.0.4 (vnet-vm)";
  r.probe_b = "10.2.0.4 (vpc-host)";
  r.rate_pps = 1000;
  r.bucket_ms = 100;
  r.stream_start_ms = -1000;
  r.stream_end_ms = 3000;
  r.a_to_b = direction_loss(tally(4000, a, 1000, 100), r.stream_start_ms);
  r.b_to_a = direction_loss(tally(4000, b, 1000, 100), r.stream_start_ms);
  r.events = {
      {0, "", "", "fault", "", "kill -9 azure-gw0 (pid 42)"},
      {-50, "aws-vgw", "aws0t1", "tunnel up", "", ""},
      {612, "aws-vgw", "aws0t1", "tunnel down", "DPD", "peer not responding (dead peer detection)"},
      {1000, "", "", "heal", "", "restarted azure-gw0"}};
  r.detection = first_detection(r.events);
  r.heal_ms = 1000;
  r.recovery_checked = true;
  r.recovered = false;
  r.not_back = {{"aws-vgw", "aws0t1", "tunnel DOWN", "peer not responding (dead peer detection)"}};
  r.documented = {{"AWS", "DPD declares the peer dead", 30, "\"DPD timeout\" [A-TUN]"}};
  return r;
}

TEST(DrillReport, OutageIsFirstToLastLostProbeOverBothDirections) {
  DrillReport r = measured();
  EXPECT_EQ(r.a_to_b.lost, 300u);
  EXPECT_DOUBLE_EQ(r.a_to_b.first_lost_ms, 500);
  EXPECT_DOUBLE_EQ(r.a_to_b.last_lost_ms, 799);
  EXPECT_DOUBLE_EQ(r.b_to_a.first_lost_ms, 600);
  EXPECT_DOUBLE_EQ(outage_ms(r), 299);
  // Buckets count from the stream's start: 1.5 s to 1.8 s are buckets 15, 16, 17.
  ASSERT_EQ(r.a_to_b.lost_per_bucket.size(), 41u);
  EXPECT_EQ(r.a_to_b.lost_per_bucket[14], 0u);
  EXPECT_EQ(r.a_to_b.lost_per_bucket[15], 100u);
  EXPECT_EQ(r.a_to_b.lost_per_bucket[17], 100u);
  EXPECT_EQ(r.b_to_a.lost_per_bucket[16], 50u);
  DrillReport none;
  EXPECT_EQ(outage_ms(none), 0);
}

TEST(DrillReport, DetectionIsTheFirstMechanismAfterTheFault) {
  DrillReport r = measured();
  ASSERT_TRUE(r.detection);
  EXPECT_EQ(r.detection->mechanism, "DPD");
  EXPECT_EQ(r.detection->at_ms, 612);
  EXPECT_FALSE(first_detection({{-5, "aws-vgw", "aws0t1", "tunnel down", "DPD", ""}}));
}

TEST(DrillReport, TextSaysWhatDetectedItAndWhatDidNotComeBack) {
  std::string text = render_text(measured());
  for (const char* want :
       {"vpnlab fail crash:azure-gw0 on lab dr1", "lab time factor 0.2",
        "detected: 612 ms after the fault by DPD (aws-vgw, aws0t1)", "outage:   299 ms",
        "300 of 4000 lost", "NOT back within 18.0 s after the heal",
        "aws0t1         tunnel DOWN - peer not responding (dead peer detection)",
        "30 s (6.0 s here)"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(DrillReport, JsonCarriesTheSameNumbers) {
  auto j = to_json(measured());
  EXPECT_EQ(j["outage_ms"], 299);
  EXPECT_EQ(j["detection"]["mechanism"], "DPD");
  EXPECT_EQ(j["probes"]["a_to_b"]["lost"], 300);
  EXPECT_EQ(j["probes"]["a_to_b"]["lost_per_bucket"][15], 100);
  EXPECT_EQ(j["recovery"]["recovered"], false);
  EXPECT_EQ(j["recovery"]["not_back"][0]["object"], "aws0t1");
  EXPECT_EQ(j["documented"][0]["lab_seconds"], 6);
  EXPECT_EQ(j["time_factor"], 0.2);
}

TEST(DrillReport, SvgShowsLossBarsAndTheEvents) {
  std::string svg = timeline_svg(measured());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // One bar per bucket with losses: 3 above the axis, 1 below.
  std::size_t bars = 0;
  for (auto at = svg.find("<rect x="); at != std::string::npos; at = svg.find("<rect x=", at + 1))
    ++bars;
  EXPECT_EQ(bars, 1u + 4u);  // the plot frame and four bars
  EXPECT_NE(svg.find("100 lost at 0.5 s"), std::string::npos);
  EXPECT_NE(svg.find("50 lost at 0.6 s"), std::string::npos);
  for (const char* mark : {">fault<", ">detected: DPD<", ">heal<", "not back within 18.0 s"})
    EXPECT_NE(svg.find(mark), std::string::npos) << mark;
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  // Text from the lab is escaped.
  DrillReport r = measured();
  r.target = "path:<x>&";
  EXPECT_NE(timeline_svg(r).find("path:&lt;x&gt;&amp;"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::topology::drills
