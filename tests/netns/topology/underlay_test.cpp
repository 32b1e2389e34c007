// The lab underlay against the real kernel (root; label netns). Each test lab is named
// vpnlab-t-<pid>-<n> so its namespaces cannot collide with a user's lab or another run;
// a guard takes it down on every exit path.
//
//  vnet-vm -- vnet -- [gwsubnet] -- azure-gw0/1 -- internet -- aws-vgw -- vpc-host
#include <gtest/gtest.h>
#include <unistd.h>

#include "dataplane/linux/netns.hpp"
#include "topology/lab_loader.hpp"
#include "topology/reachability.hpp"
#include "topology/underlay.hpp"
#include "topology/underlay_plan.hpp"

namespace vpnlab::topology {
namespace {

LabPlan plan_for(const std::string& name) {
  std::string yaml = default_lab_yaml();
  yaml.replace(yaml.find("name: vpnlab"), 12, "name: " + name);
  auto loaded = load_lab_text(yaml, "test");
  EXPECT_TRUE(loaded.lab.has_value());
  return compile(*loaded.lab);
}

struct LabGuard {
  LabPlan plan;
  explicit LabGuard(const std::string& suffix)
      : plan(plan_for("vpnlab-t-" + std::to_string(getpid()) + "-" + suffix)) {}
  ~LabGuard() { (void)underlay_down(plan.underlay); }
};

TEST(Underlay, UpReachesEveryPublicAddressAndDownLeavesNothing) {
  LabGuard lab("a");
  auto up = underlay_up(lab.plan.underlay);
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(up->created.size(), 7u);
  EXPECT_TRUE(underlay_present(lab.plan.underlay));

  for (const auto& r : probe_public_mesh(lab.plan.gateways, std::chrono::milliseconds(1000))) {
    EXPECT_TRUE(r.ok) << r.from_node << " -> " << r.to.to_string() << ": " << r.error;
  }
  // Inside each cloud: the VM reaches its fabric, the VPC host its router.
  auto a = lab_addresses(*load_lab_text(default_lab_yaml(), "x").lab);
  const auto& u = lab.plan.underlay;
  EXPECT_TRUE(icmp_probe(u.nodes[0].netns, a.vnet_router_frontend, std::chrono::seconds(1)));
  EXPECT_TRUE(icmp_probe(u.nodes[0].netns, a.azure_instances[1], std::chrono::seconds(1)))
      << "VM reaches instance 1 across the fabric";
  EXPECT_TRUE(icmp_probe(u.nodes.back().netns, a.vpc_router, std::chrono::seconds(1)));
  // No tunnel yet: the VNet cannot reach the VPC.
  EXPECT_FALSE(icmp_probe(u.nodes[0].netns, a.vpc_host, std::chrono::milliseconds(200)));

  auto again = underlay_up(lab.plan.underlay);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->created.size(), 0u);
  EXPECT_EQ(again->found.size(), 7u);

  auto down = underlay_down(lab.plan.underlay);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->removed.size(), 7u);
  for (const auto& n : lab.plan.underlay.nodes) EXPECT_FALSE(dataplane::netns_exists(n.netns));
  auto twice = underlay_down(lab.plan.underlay);
  ASSERT_TRUE(twice);
  EXPECT_TRUE(twice->removed.empty());
}

TEST(Underlay, TwoLabsCoexistAndDownRemovesOnlyItsOwn) {
  LabGuard one("b");
  LabGuard two("b2");  // a name that extends the first one's: prefix matching would be wrong
  ASSERT_TRUE(underlay_up(one.plan.underlay));
  ASSERT_TRUE(underlay_up(two.plan.underlay));
  ASSERT_TRUE(underlay_down(one.plan.underlay));
  EXPECT_FALSE(underlay_present(one.plan.underlay));
  EXPECT_TRUE(underlay_present(two.plan.underlay));
  for (const auto& r : probe_public_mesh(two.plan.gateways, std::chrono::milliseconds(1000))) {
    EXPECT_TRUE(r.ok) << r.error;
  }
}

}  // namespace
}  // namespace vpnlab::topology
