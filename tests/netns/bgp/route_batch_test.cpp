// RouteTable::apply over rtnetlink against the real kernel: many RTM_NEWROUTE/DELROUTE per
// sendmsg, an ACK only for each batch's last message, failures mapped back to their change
// by sequence number (needs root; label netns).
//
//   vpnlab-t-<pid>-r:  veth0 10.99.0.1/24 <-> veth0p,  veth1 10.99.1.1/24 <-> veth1p
//                      20.x.y.0/24 via 10.99.0.2 dev veth0 (ECMP: + via 10.99.1.2 dev veth1)
//
// The namespace is removed by the guard on any exit path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <set>

#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::dataplane {
namespace {

struct NetnsGuard {
  std::string name = "vpnlab-t-" + std::to_string(getpid()) + "-r";
  NetnsGuard() {
    auto rc = create_netns(name);
    EXPECT_TRUE(rc) << rc.error().message;
  }
  ~NetnsGuard() { (void)delete_netns(name); }
};

Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}

Ipv4Prefix nth_24(std::uint32_t i) {
  return Ipv4Prefix{Ipv4Address{0x14000000u + (i << 8)}, 24};
}

// Two veth pairs with connected /24s, up: gateways 10.99.0.2 and 10.99.1.2 are reachable.
Checked<Netlink> router(const std::string& ns) {
  auto nl = Netlink::open_in(ns);
  if (!nl) return nl;
  for (const char* dev : {"veth0", "veth1"}) {
    std::string peer = std::string(dev) + "p";
    if (auto rc = nl->add_veth(dev, peer); !rc) return Unexpected{rc.error()};
    if (auto rc = nl->set_up(dev); !rc) return Unexpected{rc.error()};
    if (auto rc = nl->set_up(peer); !rc) return Unexpected{rc.error()};
  }
  if (auto rc = nl->add_address("veth0", ip("10.99.0.1"), 24); !rc) return Unexpected{rc.error()};
  if (auto rc = nl->add_address("veth1", ip("10.99.1.1"), 24); !rc) return Unexpected{rc.error()};
  return nl;
}

std::map<Ipv4Prefix, std::vector<NextHop>> kernel_routes(Netlink& nl) {
  std::map<Ipv4Prefix, std::vector<NextHop>> out;
  auto routes = nl.routes(kRouteProtocol);
  EXPECT_TRUE(routes) << routes.error().message;
  if (routes)
    for (auto& r : *routes) out[r.prefix] = r.hops;
  return out;
}

// Routes 20.0.0.0/24, 20.0.1.0/24, ... (n of them), all via hops.
std::vector<RouteChange> routes_via(std::uint32_t n, const std::vector<NextHop>& hops) {
  std::vector<RouteChange> out;
  for (std::uint32_t i = 0; i < n; ++i) out.push_back({nth_24(i), hops});
  return out;
}

const std::vector<NextHop> kVia0 = {{"veth0", ip("10.99.0.2")}};
const std::vector<NextHop> kEcmp = {{"veth0", ip("10.99.0.2")}, {"veth1", ip("10.99.1.2")}};

TEST(RouteBatch, ThousandsOfRoutesInstallReplaceAndRemove) {
  NetnsGuard guard;
  auto nl = router(guard.name);
  ASSERT_TRUE(nl) << nl.error().message;
  // 3000 changes: several sendmsg batches; every 10th route is multipath.
  std::vector<RouteChange> add;
  for (std::uint32_t i = 0; i < 3000; ++i) add.push_back({nth_24(i), i % 10 == 0 ? kEcmp : kVia0});
  auto failed = nl->apply_routes(add);
  EXPECT_TRUE(failed.empty()) << failed.front().message;
  auto in_kernel = kernel_routes(*nl);
  ASSERT_EQ(in_kernel.size(), 3000u);
  for (const auto& c : add) EXPECT_EQ(in_kernel[c.prefix], c.hops) << c.prefix.to_string();

  // Replace half with the other hop set, remove the rest, and remove some that are not
  // there (withdrawal is idempotent): all in one call, applied in order.
  std::vector<RouteChange> change;
  for (std::uint32_t i = 0; i < 3000; ++i)
    change.push_back({nth_24(i), i % 2 ? std::vector<NextHop>{{"veth1", ip("10.99.1.2")}}
                                       : std::vector<NextHop>{}});
  for (std::uint32_t i = 5000; i < 5100; ++i) change.push_back({nth_24(i), {}});
  failed = nl->apply_routes(change);
  EXPECT_TRUE(failed.empty()) << failed.front().message;
  in_kernel = kernel_routes(*nl);
  ASSERT_EQ(in_kernel.size(), 1500u);
  EXPECT_EQ(in_kernel[nth_24(1)], (std::vector<NextHop>{{"veth1", ip("10.99.1.2")}}));
  EXPECT_EQ(in_kernel.count(nth_24(2)), 0u);
}

TEST(RouteBatch, AFailureInTheMiddleIsReportedForItsPrefixOnly) {
  NetnsGuard guard;
  auto nl = router(guard.name);
  ASSERT_TRUE(nl) << nl.error().message;
  auto add = routes_via(1000, kVia0);
  add[500].hops = {{"veth0", ip("10.98.0.9")}};       // not on veth0's subnet: kernel refuses
  add[700].hops = {{"nosuchdev0", ip("10.99.0.2")}};  // no such device: refused before sending
  NetlinkRouteTable table(std::move(*nl));
  auto failed = table.apply(add);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].index, 500u);
  EXPECT_EQ(failed[0].error, std::errc::network_unreachable) << failed[0].error.message();
  EXPECT_NE(failed[0].message.find("20.1.244.0/24"), std::string::npos) << failed[0].message;
  EXPECT_EQ(failed[1].index, 700u);
  EXPECT_NE(failed[1].message.find("nosuchdev0"), std::string::npos) << failed[1].message;
  EXPECT_EQ(table.last_error(), failed.back().message);

  auto check = Netlink::open_in(guard.name);
  ASSERT_TRUE(check);
  auto in_kernel = kernel_routes(*check);
  EXPECT_EQ(in_kernel.size(), 998u);  // every other change of the batch went in
  EXPECT_EQ(in_kernel.count(nth_24(499)), 1u);
  EXPECT_EQ(in_kernel.count(nth_24(500)), 0u);
  EXPECT_EQ(in_kernel.count(nth_24(501)), 1u);
  EXPECT_EQ(in_kernel.count(nth_24(700)), 0u);
  EXPECT_EQ(in_kernel.count(nth_24(999)), 1u);
}

TEST(RouteBatch, EveryChangeFailingIsReportedOnce) {
  // Many error replies at once (more than one batch of them): none lost, none doubled.
  NetnsGuard guard;
  auto nl = router(guard.name);
  ASSERT_TRUE(nl) << nl.error().message;
  auto failed = nl->apply_routes(routes_via(1500, {{"veth0", ip("10.98.0.9")}}));
  std::set<std::size_t> seen;
  for (const auto& f : failed) EXPECT_TRUE(seen.insert(f.index).second) << f.index;
  EXPECT_EQ(seen.size(), 1500u);
  EXPECT_TRUE(kernel_routes(*nl).empty());
  // The socket is still in step: a single transaction afterwards works.
  auto rc = nl->replace_route(nth_24(1), kVia0);
  EXPECT_TRUE(rc) << rc.error().message;
}

}  // namespace
}  // namespace vpnlab::dataplane
