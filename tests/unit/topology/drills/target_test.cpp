// Drill targets resolved against the reference lab's plan (topology/drills/target.hpp).
#include "topology/drills/target.hpp"

#include <gtest/gtest.h>

#include "topology/drills/faults.hpp"
#include "topology/lab_loader.hpp"

namespace vpnlab::topology::drills {
namespace {

LabPlan reference_plan() {
  auto loaded = load_default_lab();
  EXPECT_TRUE(loaded.lab);
  return compile(*loaded.lab);
}

TEST(DrillTarget, ResolvesNodesAndTunnels) {
  LabPlan plan = reference_plan();
  auto crash = parse_target("crash:instance1", plan);
  ASSERT_TRUE(crash) << crash.error().message;
  EXPECT_EQ(crash->kind, FaultKind::instance_crash);
  EXPECT_EQ(crash->node, "azure-gw1");
  auto replace = parse_target("replace:ToAzureInstance0.tunnel2", plan);
  ASSERT_TRUE(replace) << replace.error().message;
  EXPECT_EQ(replace->device, "aws0t2");
  EXPECT_EQ(replace->node, "aws-vgw");  // the AWS end acts
  auto hang = parse_target("hang:aws-vgw", plan);
  ASSERT_TRUE(hang);
  EXPECT_EQ(hang->node, "aws-vgw");
}

TEST(DrillTarget, ErrorsNameWhatExists) {
  LabPlan plan = reference_plan();
  struct Case {
    const char *text, *says;
  };
  for (const Case& c :
       {Case{"explode:azure-gw0", "crash, maintenance, replace"}, Case{"crash", "KIND:OBJECT"},
        Case{"crash:azure-gw9", "gateways: "}, Case{"crash:aws-vgw", "Azure instance"},
        Case{"path:aws9t9", "no tunnel 'aws9t9'"}}) {
    SCOPED_TRACE(c.text);
    auto t = parse_target(c.text, plan);
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message.find(c.says), std::string::npos) << t.error().message;
  }
}

TEST(DrillTarget, PathRunsThroughTheInternetRoutersPorts) {
  LabPlan plan = reference_plan();
  auto p = tunnel_path(plan, "aws1t2");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->router_netns, "vpnlab-internet");
  EXPECT_EQ(p->port_toward_azure, "az-gw1");
  EXPECT_EQ(p->port_toward_aws, "aws-vgw");
  EXPECT_EQ(p->azure_outside.to_string(), "203.0.113.11");
  EXPECT_EQ(p->aws_outside.to_string(), "198.51.100.13");
}

TEST(DrillTarget, DocumentedFiguresCiteCloudFacts) {
  LabPlan plan = reference_plan();
  auto crash = documented_figures(*parse_target("crash:azure-gw0", plan), false);
  ASSERT_FALSE(crash.empty());
  EXPECT_EQ(crash[0].seconds, 30);
  EXPECT_NE(crash[0].source.find("[A-TUN"), std::string::npos);
  for (const char* t : {"maintenance:azure-gw0", "replace:aws0t1", "hang:aws-vgw",
                        "bgp-reset:aws0t1", "path:aws0t1"}) {
    auto figures = documented_figures(*parse_target(t, plan), false);
    ASSERT_FALSE(figures.empty()) << t;
    for (const auto& f : figures) EXPECT_FALSE(f.source.empty()) << t;
  }
}

}  // namespace
}  // namespace vpnlab::topology::drills
