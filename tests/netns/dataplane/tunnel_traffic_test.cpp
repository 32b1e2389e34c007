// Scenario: the manual-key ESP dataplane between two gateway namespaces carries ping and a
// real TCP transfer (iperf3, 2 s) between the hosts behind them, for AES-256-GCM and
// AES-256-CBC + HMAC-SHA2-256, over ESP-in-UDP (RFC 3948) and raw ESP, with one worker and
// with two (multi-queue TUN, SO_REUSEPORT / send-only raw sockets, SAs shared by both
// workers; 4 TCP streams so the kernel spreads flows over the queues). Afterwards the
// per-SA counters of both gateways must agree with the traffic (topology.hpp has the
// picture): no replay drop, no authentication failure.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>

#include "topology.hpp"

namespace vpnlab::dataplane {
namespace {

struct Case {
  const char* name;
  const char* suite;
  const char* encap;
  std::size_t key_bytes, integ_bytes;
  const char* workers;
  const char* streams;
};

std::string hex_key(std::size_t n, unsigned seed) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned v = (seed * 131 + static_cast<unsigned>(i) * 7) & 0xff;
    s += digits[v >> 4];
    s += digits[v & 15];
  }
  return s;
}

std::string gateway_config(const Case& c, bool a) {
  std::string k1 = hex_key(c.key_bytes, 1), k2 = hex_key(c.key_bytes, 2);
  std::string i1 = c.integ_bytes ? " " + hex_key(c.integ_bytes, 3) : "";
  std::string i2 = c.integ_bytes ? " " + hex_key(c.integ_bytes, 4) : "";
  std::ostringstream o;
  o << "tunnel vpn0\n"
    << "inside " << (a ? "169.254.10.1/30" : "169.254.10.2/30") << "\n"
    << "local " << (a ? "192.0.2.1" : "192.0.2.2") << "\n"
    << "remote " << (a ? "192.0.2.2" : "192.0.2.1") << "\n"
    << "encap " << c.encap << "\n"
    << "suite " << c.suite << "\n"
    << (a ? "in 0x2002 " + k2 + i2 : "in 0x1001 " + k1 + i1) << "\n"
    << (a ? "out 0x1001 " + k1 + i1 : "out 0x2002 " + k2 + i2) << "\n"
    << "route " << (a ? "10.2.0.0/24" : "10.1.0.0/24") << "\n";
  return o.str();
}

// "sa in 0x00001001 packets N bytes N auth_failures N replay_drops N malformed N"
std::map<std::string, std::uint64_t> sa_counters(const std::string& text, const char* dir,
                                                 const char* spi) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(text);
  std::string line;
  std::string head = std::string("sa ") + dir + " " + spi + " ";
  while (std::getline(in, line)) {
    if (line.rfind(head, 0) != 0) continue;
    std::istringstream f(line.substr(head.size()));
    std::string k;
    std::uint64_t v;
    while (f >> k >> v) out[k] = v;
  }
  return out;
}

std::uint64_t iperf_bytes_received(const std::string& json) {
  std::smatch m;
  static const std::regex re("\"sum_received\":\\s*\\{[^}]*\"bytes\":\\s*([0-9]+)");
  return std::regex_search(json, m, re) ? std::stoull(m[1]) : 0;
}

class TunnelTraffic : public ::testing::TestWithParam<Case> {};

TEST_P(TunnelTraffic, PingAndTcpThroughTheTunnelWithCounters) {
  const Case& c = GetParam();
  testing::Scenario s(c.name);
  ASSERT_FALSE(s.dir().empty());
  ASSERT_EQ(s.build(), "");
  for (bool a : {true, false}) {
    std::ofstream(s.dir() + (a ? "/a.conf" : "/b.conf")) << gateway_config(c, a);
  }
  pid_t ga = s.spawn("gA",
                     {VPNLAB_DP_MANUAL, s.dir() + "/a.conf", "--counters", s.dir() + "/a.counters",
                      "--workers", c.workers},
                     "gA.log");
  pid_t gb = s.spawn("gB",
                     {VPNLAB_DP_MANUAL, s.dir() + "/b.conf", "--counters", s.dir() + "/b.counters",
                      "--workers", c.workers},
                     "gB.log");
  ASSERT_GT(ga, 0);
  ASSERT_GT(gb, 0);
  ASSERT_TRUE(s.wait_for_text("gA.log", "ready", std::chrono::seconds(10)))
      << testing::read_file(s.dir() + "/gA.log");
  ASSERT_TRUE(s.wait_for_text("gB.log", "ready", std::chrono::seconds(10)))
      << testing::read_file(s.dir() + "/gB.log");

  // Ping: 5 echo requests, every one answered (host A -> host B through the tunnel).
  int ping = s.run("hA", {"/usr/bin/ping", "-c", "5", "-i", "0.2", "-W", "2", "10.2.0.2"},
                   "ping.log", std::chrono::seconds(15));
  EXPECT_EQ(ping, 0) << testing::read_file(s.dir() + "/ping.log");

  // TCP: iperf3 for 2 s, host A sends to host B.
  pid_t srv =
      s.spawn("hB", {"/usr/bin/iperf3", "-s", "-1", "-p", "5201", "--forceflush"}, "iperf-srv.log");
  ASSERT_GT(srv, 0);
  ASSERT_TRUE(s.wait_for_text("iperf-srv.log", "Server listening", std::chrono::seconds(10)));
  // iperf3 -J exits 0 even when it could not connect: judge by the JSON's byte count.
  int iperf = s.run(
      "hA", {"/usr/bin/iperf3", "-c", "10.2.0.2", "-p", "5201", "-t", "2", "-J", "-P", c.streams},
      "iperf.json", std::chrono::seconds(20));
  ASSERT_EQ(iperf, 0) << testing::read_file(s.dir() + "/iperf.json");
  std::uint64_t tcp_bytes = iperf_bytes_received(testing::read_file(s.dir() + "/iperf.json"));
  EXPECT_GT(tcp_bytes, 4u << 20) << "less than 4 MB crossed the tunnel in 2 s";

  EXPECT_EQ(s.stop(ga), 0);
  EXPECT_EQ(s.stop(gb), 0);
  std::string a = testing::read_file(s.dir() + "/a.counters");
  std::string b = testing::read_file(s.dir() + "/b.counters");
  auto a_out = sa_counters(a, "out", "0x00001001"), b_in = sa_counters(b, "in", "0x00001001");
  auto b_out = sa_counters(b, "out", "0x00002002"), a_in = sa_counters(a, "in", "0x00002002");
  ASSERT_FALSE(a_out.empty()) << a;
  ASSERT_FALSE(b_in.empty()) << b;
  // What A encrypted arrived at B and authenticated; B's socket may drop some under load
  // (UDP receive buffer), never more than it received. The inner bytes cover the TCP
  // payload that iperf3 counted.
  EXPECT_GE(a_out["packets"], 1000u);
  EXPECT_LE(b_in["packets"], a_out["packets"]);
  EXPECT_GE(b_in["packets"], a_out["packets"] * 9 / 10);
  EXPECT_GT(b_in["bytes"], tcp_bytes);
  EXPECT_LE(a_in["packets"], b_out["packets"]);
  EXPECT_GE(a_in["packets"], 5u);  // echo replies and ACKs
  for (auto* m : {&a_out, &b_in, &b_out, &a_in}) {
    EXPECT_EQ((*m)["auth_failures"], 0u);
    EXPECT_EQ((*m)["replay_drops"], 0u);
    EXPECT_EQ((*m)["malformed"], 0u);
  }
  // Host A's SYN (MSS 1460 on a 1500-byte LAN) had its MSS lowered to the tunnel's.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(a, m, std::regex("tunnel vpn0 dp.tx.mss_clamped ([0-9]+)")));
  EXPECT_GE(std::stoull(m[1]), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    SuitesAndEncaps, TunnelTraffic,
    ::testing::Values(Case{"gcm_udp", "aes256gcm16", "udp", 36, 0, "1", "1"},
                      Case{"gcm_raw", "aes256gcm16", "raw", 36, 0, "1", "1"},
                      Case{"cbc_udp", "aes256-sha256", "udp", 32, 32, "1", "1"},
                      Case{"cbc_raw", "aes256-sha256", "raw", 32, 32, "1", "1"},
                      Case{"gcm_udp_2workers", "aes256gcm16", "udp", 36, 0, "2", "4"},
                      Case{"cbc_raw_2workers", "aes256-sha256", "raw", 32, 32, "2", "4"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vpnlab::dataplane
