// vpnlab's BGP speaker (Azure personality: passive, AS 65515) against FRR bgpd 8.4 over a
// veth with APIPA addresses, routes installed into the kernel of vpnlab's namespace.
//
//   ns vpnlab-t-PID-frr                               ns vpnlab-t-PID-vpn
//   bgpd AS 65000 (timers 1 3)                         bgp_speaker_main AS 65515
//   raw_peer.py AS 65010                               lo 10.1.0.1/32, network 10.1.0.0/16
//   lo 10.10.0.1/32                                    max-prefix 3 for the FRR peer
//   v-frr 169.254.21.1/30, 169.254.23.1/30 ─── veth ─── v-vpn 169.254.21.2/30, 169.254.23.2/30
#include <gtest/gtest.h>

#include "interop_env.hpp"

namespace vpnlab::bgp {
namespace {
using namespace test;

const char* kBgpd = "/usr/lib/frr/bgpd";

struct FrrInterop : ::testing::Test {
  std::string prefix = "vpnlab-t-" + std::to_string(::getpid());
  std::string dir;
  std::unique_ptr<Env> env;
  std::string frr_ns, vpn_ns;
  pid_t bgpd = 0, speaker = 0;
  bool second_link = false;  // a second veth 169.254.22.0/30 where vpnlab initiates
  bool graceful = false;     // FRR runs with `bgp graceful-restart`

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for namespaces";
    if (::access(kBgpd, X_OK) != 0) GTEST_SKIP() << "FRR bgpd not installed";
    char tmpl[] = "/tmp/vpnlab-bgp-interop-XXXXXX";
    dir = ::mkdtemp(tmpl);
    sh("chmod 755 " + dir);
    env = std::make_unique<Env>(prefix);
    frr_ns = env->ns("frr");
    vpn_ns = env->ns("vpn");
    ASSERT_EQ(
        sh("ip link add v-frr netns " + frr_ns + " type veth peer name v-vpn netns " + vpn_ns), 0);
    for (auto [ns, dev, a, b, lo] :
         {std::tuple{frr_ns, "v-frr", "169.254.21.1/30", "169.254.23.1/30", "10.10.0.1/32"},
          std::tuple{vpn_ns, "v-vpn", "169.254.21.2/30", "169.254.23.2/30", "10.1.0.1/32"}}) {
      ASSERT_EQ(sh("ip -n " + ns + " addr add " + a + " dev " + dev), 0);
      ASSERT_EQ(sh("ip -n " + ns + " addr add " + b + " dev " + dev), 0);
      ASSERT_EQ(sh("ip -n " + ns + " addr add " + lo + " dev lo"), 0);
      ASSERT_EQ(sh("ip -n " + ns + " link set " + dev + " up"), 0);
      ASSERT_EQ(sh("ip -n " + ns + " link set lo up"), 0);
    }
    if (second_link) {
      ASSERT_EQ(
          sh("ip link add v-frr2 netns " + frr_ns + " type veth peer name v-vpn2 netns " + vpn_ns),
          0);
      ASSERT_EQ(sh("ip -n " + frr_ns + " addr add 169.254.22.1/30 dev v-frr2"), 0);
      ASSERT_EQ(sh("ip -n " + vpn_ns + " addr add 169.254.22.2/30 dev v-vpn2"), 0);
      ASSERT_EQ(sh("ip -n " + frr_ns + " link set v-frr2 up"), 0);
      ASSERT_EQ(sh("ip -n " + vpn_ns + " link set v-vpn2 up"), 0);
    }
    write_frr_config({"10.10.0.0/16", "10.11.0.0/16"});
    std::ofstream conf(dir + "/speaker.conf");
    conf << "asn 65515\nrouter-id 169.254.21.2\npersonality azure\nnetwork 10.1.0.0/16\n"
         << "peer 169.254.21.1 asn 65000 local 169.254.21.2 device v-vpn hold 3 keepalive 1 "
            "idle-hold 1 max-prefix 3\n"
         << "peer 169.254.23.1 asn 65010 local 169.254.23.2 idle-hold 1\n";
    // The second tunnel: this side connects at once (not passive), bound to v-vpn2.
    if (second_link)
      conf << "peer 169.254.22.1 asn 65000 local 169.254.22.2 device v-vpn2 bind-device v-vpn2 "
              "hold 3 keepalive 1 idle-hold 1 connect-retry 1 passive off\n";
    conf.close();
    start_bgpd();
    speaker = env->spawn(
        vpn_ns, {BGP_SPEAKER_MAIN, dir + "/speaker.conf", "--status", dir + "/status.json"},
        dir + "/speaker.log");
  }

  void start_bgpd() {
    bgpd = env->spawn(frr_ns,
                      {kBgpd, "-Z", "-n", "-S", "-f", dir + "/bgpd.conf", "-i", dir + "/bgpd.pid",
                       "--vty_socket", dir, "--log", "file:" + dir + "/bgpd.log"},
                      dir + "/bgpd.out");
  }

  void TearDown() override {
    if (HasFailure() && !dir.empty()) {
      std::printf("---- speaker.log\n%s\n---- bgpd.log\n%s\n",
                  read_file(dir + "/speaker.log").c_str(), read_file(dir + "/bgpd.log").c_str());
    }
    env.reset();
    if (!dir.empty()) sh("rm -rf " + dir);
  }

  void write_frr_config(const std::vector<std::string>& networks) {
    std::ofstream f(dir + "/bgpd.conf");
    f << "router bgp 65000\n bgp router-id 10.255.0.1\n no bgp ebgp-requires-policy\n"
      << " no bgp network import-check\n neighbor 169.254.21.2 remote-as 65515\n"
      << (graceful ? " bgp graceful-restart\n" : "")
      << " neighbor 169.254.21.2 timers 1 3\n neighbor 169.254.21.2 timers connect 1\n";
    if (second_link)
      f << " neighbor 169.254.22.2 remote-as 65515\n neighbor 169.254.22.2 timers 1 3\n"
        << " neighbor 169.254.22.2 passive\n";
    f << " address-family ipv4 unicast\n";
    for (const auto& n : networks) f << "  network " << n << "\n";
    f << " exit-address-family\n";
  }

  std::string vtysh(const std::string& cmds) {
    return capture("ip netns exec " + frr_ns + " vtysh --vty_socket " + dir + " -d bgpd " + cmds +
                   " 2>&1");
  }
  /// The status JSON object of one peer (text between its "neighbor" and the next).
  std::string peer_json(const std::string& peer) {
    std::string s = read_file(dir + "/status.json");
    auto at = s.find("\"neighbor\":\"" + peer + "\"");
    if (at == std::string::npos) return "";
    auto end = s.find("\"neighbor\":", at + 1);
    return s.substr(at, end == std::string::npos ? std::string::npos : end - at);
  }
  bool peer_has(const std::string& peer, const std::string& text) {
    return peer_json(peer).find(text) != std::string::npos;
  }
  std::string kernel_route(const std::string& prefix) {
    // Only vpnlab's routes: protocol 186 (dataplane::kRouteProtocol).
    return capture("ip -n " + vpn_ns + " route show " + prefix + " proto 186");
  }
};

TEST_F(FrrInterop, SessionRoutesWithdrawalRefreshMaxPrefixAndHoldTimer) {
  // 1. FRR opens the session (Azure side is passive); timers negotiate to 3/1.
  ASSERT_TRUE(eventually([&] { return peer_has("169.254.21.1", "\"bgpState\":\"Established\""); }))
      << peer_json("169.254.21.1");
  EXPECT_TRUE(peer_has("169.254.21.1", "\"holdTime\":3"));
  // 2. FRR's routes are in vpnlab's kernel (protocol 186), and real packets use them.
  ASSERT_TRUE(eventually([&] { return !kernel_route("10.11.0.0/16").empty(); }));
  EXPECT_NE(kernel_route("10.10.0.0/16").find("via 169.254.21.1 dev v-vpn"), std::string::npos)
      << kernel_route("10.10.0.0/16");
  EXPECT_EQ(sh("ip netns exec " + vpn_ns + " ping -c 1 -W 2 10.10.0.1 >/dev/null"), 0);
  // 3. vpnlab's network reached FRR with AS_PATH 65515.
  ASSERT_TRUE(eventually([&] {
    return vtysh("-c 'show bgp ipv4 unicast 10.1.0.0/16'").find("65515") != std::string::npos;
  })) << vtysh("-c 'show bgp ipv4 unicast'");
  // 4. Withdrawal: FRR stops announcing 10.11.0.0/16, the kernel route goes away.
  vtysh(
      "-c 'configure terminal' -c 'router bgp 65000' -c 'address-family ipv4 unicast' "
      "-c 'no network 10.11.0.0/16'");
  EXPECT_TRUE(eventually([&] { return kernel_route("10.11.0.0/16").empty(); }));
  // 5. Route refresh both ways: vpnlab asks (SIGUSR1), then FRR asks (soft in).
  ASSERT_EQ(::kill(speaker, SIGUSR1), 0);
  EXPECT_TRUE(eventually([&] {
    return vtysh("-c 'show bgp neighbors 169.254.21.2 json'").find("\"routeRefreshRecv\":1") !=
           std::string::npos;
  })) << vtysh("-c 'show bgp neighbors 169.254.21.2 json'");
  std::string clear = vtysh("-c 'clear bgp ipv4 unicast 169.254.21.2 soft in'");
  EXPECT_TRUE(eventually([&] {
    return vtysh("-c 'show bgp neighbors 169.254.21.2 json'").find("\"routeRefreshSent\":1") !=
           std::string::npos;
  })) << clear;
  EXPECT_TRUE(peer_has("169.254.21.1", "\"bgpState\":\"Established\""));
  // 6. Max-prefix: 4 prefixes > limit 3 → vpnlab sends Cease/1 and withdraws them.
  vtysh(
      "-c 'configure terminal' -c 'router bgp 65000' -c 'address-family ipv4 unicast' "
      "-c 'network 10.12.0.0/16' -c 'network 10.13.0.0/16' -c 'network 10.14.0.0/16'");
  EXPECT_TRUE(eventually([&] {
    return peer_has("169.254.21.1", "sent Cease/Maximum Number of Prefixes Reached");
  })) << peer_json("169.254.21.1");
  vtysh(
      "-c 'configure terminal' -c 'router bgp 65000' -c 'address-family ipv4 unicast' "
      "-c 'no network 10.12.0.0/16' -c 'no network 10.13.0.0/16' -c 'no network 10.14.0.0/16'");
  ASSERT_TRUE(eventually([&] { return peer_has("169.254.21.1", "\"bgpState\":\"Established\""); }));
  ASSERT_TRUE(eventually([&] { return !kernel_route("10.10.0.0/16").empty(); }));
  // 7. Hold timer: FRR frozen (SIGSTOP) → Hold Timer Expired after 3 s, routes withdrawn.
  ASSERT_EQ(::kill(bgpd, SIGSTOP), 0);
  EXPECT_TRUE(eventually([&] { return peer_has("169.254.21.1", "sent Hold Timer Expired"); }))
      << peer_json("169.254.21.1");
  EXPECT_TRUE(eventually([&] { return kernel_route("10.10.0.0/16").empty(); }));
  ASSERT_EQ(::kill(bgpd, SIGCONT), 0);
  EXPECT_TRUE(eventually([&] { return peer_has("169.254.21.1", "\"bgpState\":\"Established\""); }));
}

// RFC 7606 against a hand-written peer: treat-as-withdraw keeps the session, an
// unparseable UPDATE resets it with UPDATE Message Error / Malformed Attribute List.
TEST_F(FrrInterop, MalformedUpdatesFromRawPeer) {
  std::string steps = dir + "/raw";
  sh("mkdir -p " + steps);
  env->spawn(frr_ns, {"python3", RAW_PEER_PY, "169.254.23.1", "169.254.23.2", steps},
             dir + "/raw_peer.log");
  auto progress = [&] { return read_file(steps + "/progress"); };
  ASSERT_TRUE(eventually([&] { return progress().find("A") != std::string::npos; }))
      << progress() << read_file(dir + "/raw_peer.log");
  EXPECT_TRUE(eventually(
      [&] { return kernel_route("10.50.0.0/16").find("via 169.254.23.1") != std::string::npos; }));
  sh("touch " + steps + "/go1");
  ASSERT_TRUE(eventually([&] { return progress().find("B") != std::string::npos; }));
  EXPECT_TRUE(eventually([&] { return kernel_route("10.50.0.0/16").empty(); }));
  EXPECT_TRUE(peer_has("169.254.23.1", "\"bgpState\":\"Established\""));
  sh("touch " + steps + "/go2");
  ASSERT_TRUE(eventually([&] { return progress().find("C ") != std::string::npos; }));
  EXPECT_NE(progress().find("C 3 1"), std::string::npos) << progress();
  EXPECT_TRUE(eventually([&] {
    return peer_has("169.254.23.1", "sent UPDATE Message Error/Malformed Attribute List");
  })) << peer_json("169.254.23.1");
}

struct FrrInteropEcmp : FrrInterop {
  FrrInteropEcmp() { second_link = true; }
};

// Two tunnels to the same FRR (AS 65000): vpnlab (Azure personality, multipath) installs
// 10.10.0.0/16 with both next hops (cloud-facts §2.2 [Z-AA]); the second session is opened
// by vpnlab itself, bound to v-vpn2; when that link dies the route shrinks to one hop.
TEST_F(FrrInteropEcmp, BothTunnelsCarryTheRoute) {
  ASSERT_TRUE(eventually([&] {
    return peer_has("169.254.21.1", "\"bgpState\":\"Established\"") &&
           peer_has("169.254.22.1", "\"bgpState\":\"Established\"");
  })) << read_file(dir + "/status.json");
  auto ecmp = [&] {
    std::string r = kernel_route("10.10.0.0/16");
    return r.find("nexthop via 169.254.21.1 dev v-vpn ") != std::string::npos &&
           r.find("nexthop via 169.254.22.1 dev v-vpn2 ") != std::string::npos;
  };
  EXPECT_TRUE(eventually(ecmp)) << kernel_route("10.10.0.0/16");
  EXPECT_EQ(sh("ip netns exec " + vpn_ns + " ping -c 1 -W 2 10.10.0.1 >/dev/null"), 0);
  ASSERT_EQ(sh("ip -n " + vpn_ns + " link set v-vpn2 down"), 0);
  EXPECT_TRUE(eventually([&] {
    return kernel_route("10.10.0.0/16").find("10.10.0.0/16 via 169.254.21.1 dev v-vpn ") == 0;
  })) << kernel_route("10.10.0.0/16");
  ASSERT_EQ(sh("ip -n " + vpn_ns + " link set v-vpn2 up"), 0);
  EXPECT_TRUE(eventually(ecmp)) << kernel_route("10.10.0.0/16");
}

struct FrrInteropGraceful : FrrInterop {
  FrrInteropGraceful() { graceful = true; }
};

// RFC 4724 §4.2, vpnlab as the receiving speaker: FRR (graceful-restart) dies without a
// NOTIFICATION; its routes stay in vpnlab's kernel, marked stale, until it is back.
TEST_F(FrrInteropGraceful, HelperKeepsRoutesWhilePeerRestarts) {
  ASSERT_TRUE(eventually([&] { return !kernel_route("10.10.0.0/16").empty(); }));
  ASSERT_EQ(::kill(bgpd, SIGKILL), 0);  // our child, by PID; the socket closes, no NOTIFICATION
  ::waitpid(bgpd, nullptr, 0);
  ASSERT_TRUE(
      eventually([&] { return !peer_has("169.254.21.1", "\"bgpState\":\"Established\""); }));
  EXPECT_TRUE(eventually([&] { return peer_has("169.254.21.1", "\"stale\":true"); }))
      << peer_json("169.254.21.1");
  EXPECT_FALSE(kernel_route("10.10.0.0/16").empty());
  EXPECT_EQ(sh("ip netns exec " + vpn_ns + " ping -c 1 -W 2 169.254.21.1 >/dev/null"), 0);
  start_bgpd();
  ASSERT_TRUE(eventually([&] { return peer_has("169.254.21.1", "\"bgpState\":\"Established\""); }));
  EXPECT_TRUE(eventually([&] { return !peer_has("169.254.21.1", "\"stale\":true"); }))
      << peer_json("169.254.21.1");
  // With the Forwarding State bit clear (FRR runs without zebra here) the stale routes go at
  // once (RFC 4724 §4.2); either way FRR's post-restart UPDATEs bring the route back.
  EXPECT_TRUE(eventually([&] { return !kernel_route("10.10.0.0/16").empty(); }));
}

}  // namespace
}  // namespace vpnlab::bgp
