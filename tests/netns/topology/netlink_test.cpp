// Netlink and named namespaces against the real kernel (needs root; label netns).
//
//   vpnlab-t-<pid>-a  veth0 10.99.0.1/24 ---- veth0 10.99.0.2/24  vpnlab-t-<pid>-b
//                     + 203.0.113.0/24 via ECMP (two veth pairs)
//
// Every namespace is removed by the guard on any exit path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::dataplane {
namespace {

struct NetnsGuard {
  std::vector<std::string> names;
  ~NetnsGuard() {
    for (const auto& n : names) (void)delete_netns(n);
  }
  std::string make(const std::string& suffix) {
    std::string name = "vpnlab-t-" + std::to_string(getpid()) + "-" + suffix;
    names.push_back(name);
    auto rc = create_netns(name);
    EXPECT_TRUE(rc) << rc.error().message;
    return name;
  }
};

int run(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str());
}

TEST(Netlink, VethAddressesRoutesAndPing) {
  NetnsGuard guard;
  std::string a = guard.make("a");
  std::string b = guard.make("b");
  auto nl_a = Netlink::open_in(a);
  auto nl_b = Netlink::open_in(b);
  ASSERT_TRUE(nl_a) << nl_a.error().message;
  ASSERT_TRUE(nl_b) << nl_b.error().message;
  auto fd_b = open_netns_fd(b);
  ASSERT_TRUE(fd_b);
  ASSERT_TRUE(nl_a->add_veth("veth0", "veth0", *fd_b));
  ASSERT_TRUE(nl_a->add_veth("veth1", "veth1", *fd_b));
  close(*fd_b);
  for (auto* nl : {&*nl_a, &*nl_b}) {
    ASSERT_TRUE(nl->set_up("lo"));
    ASSERT_TRUE(nl->set_up("veth0"));
    ASSERT_TRUE(nl->set_up("veth1"));
  }
  ASSERT_TRUE(nl_a->add_address("veth0", *Ipv4Address::parse("10.99.0.1"), 24));
  ASSERT_TRUE(nl_a->add_address("veth0", *Ipv4Address::parse("10.99.0.1"), 24))
      << "adding an existing address is idempotent";
  ASSERT_TRUE(nl_a->add_address("veth1", *Ipv4Address::parse("10.99.1.1"), 24));
  ASSERT_TRUE(nl_b->add_address("veth0", *Ipv4Address::parse("10.99.0.2"), 24));
  ASSERT_TRUE(nl_b->add_address("veth1", *Ipv4Address::parse("10.99.1.2"), 24));
  ASSERT_TRUE(nl_b->add_address("lo", *Ipv4Address::parse("203.0.113.7"), 32));
  ASSERT_TRUE(nl_a->set_mtu("veth0", 1400));
  EXPECT_EQ(nl_a->link("veth0")->mtu, 1400u);

  auto dst = *Ipv4Prefix::parse("203.0.113.0/24");
  std::vector<NextHop> ecmp = {{"veth0", Ipv4Address::parse("10.99.0.2")},
                               {"veth1", Ipv4Address::parse("10.99.1.2")}};
  auto rc = nl_a->replace_route(dst, ecmp);
  ASSERT_TRUE(rc) << rc.error().message;
  auto routes = nl_a->routes(kRouteProtocol);
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 1u);
  EXPECT_EQ((*routes)[0].prefix, dst);
  EXPECT_EQ((*routes)[0].hops, ecmp);

  EXPECT_EQ(run("ip netns exec " + a + " ping -c1 -W2 203.0.113.7"), 0) << "ECMP route carries";

  ASSERT_TRUE(nl_a->delete_route(dst));
  ASSERT_TRUE(nl_a->delete_route(dst)) << "deleting a missing route is success";
  EXPECT_TRUE(nl_a->routes(kRouteProtocol)->empty());
  EXPECT_NE(run("ip netns exec " + a + " ping -c1 -W1 203.0.113.7"), 0);
}

TEST(Netlink, ErrorsNameTheDevice) {
  NetnsGuard guard;
  auto nl = Netlink::open_in(guard.make("e"));
  ASSERT_TRUE(nl);
  auto rc = nl->set_up("nosuchdev0");
  ASSERT_FALSE(rc);
  EXPECT_NE(rc.error().message.find("nosuchdev0"), std::string::npos) << rc.error().message;
  auto long_name = nl->add_veth("a-name-that-is-too-long", "x");
  ASSERT_FALSE(long_name);
  EXPECT_NE(long_name.error().message.find("a-name-that-is-too-long"), std::string::npos);
}

// The host gateway removes exactly the address it added (topology/gateway/host_attach.cpp).
TEST(Netlink, DeleteAddressLeavesTheOthersAndIsIdempotent) {
  NetnsGuard guard;
  auto nl = Netlink::open_in(guard.make("d"));
  ASSERT_TRUE(nl);
  auto mine = *Ipv4Address::parse("192.0.2.10"), other = *Ipv4Address::parse("198.51.100.11");
  ASSERT_TRUE(nl->add_address("lo", mine, 24));
  ASSERT_TRUE(nl->add_address("lo", other, 24));
  ASSERT_TRUE(nl->add_address("lo", *Ipv4Address::parse("192.0.2.12"), 24));
  auto listed = nl->addresses();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  for (const auto& a : *listed) {
    EXPECT_EQ(a.secondary, a.address == *Ipv4Address::parse("192.0.2.12")) << a.address.to_string();
  }
  ASSERT_TRUE(nl->delete_address("lo", *Ipv4Address::parse("192.0.2.12"), 24));
  auto rc = nl->delete_address("lo", mine, 24);
  ASSERT_TRUE(rc) << rc.error().message;
  EXPECT_TRUE(nl->delete_address("lo", mine, 24)) << "deleting a missing address is success";
  std::vector<Ipv4Address> left;
  auto all = nl->addresses();
  ASSERT_TRUE(all);
  for (const auto& a : *all) left.push_back(a.address);
  EXPECT_EQ(left, std::vector<Ipv4Address>{other});
  auto missing = nl->delete_address("nosuchdev0", mine, 24);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nosuchdev0"), std::string::npos);
}

TEST(Netns, CreateTwiceFailsAndDeleteIsIdempotent) {
  NetnsGuard guard;
  std::string n = guard.make("x");
  EXPECT_TRUE(netns_exists(n));
  auto again = create_netns(n);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, std::errc::file_exists);
  ASSERT_TRUE(delete_netns(n));
  EXPECT_FALSE(netns_exists(n));
  EXPECT_TRUE(delete_netns(n));
}

}  // namespace
}  // namespace vpnlab::dataplane
