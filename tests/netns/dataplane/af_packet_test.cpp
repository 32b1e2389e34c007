// Scenario: raw ESP between two vpnlab_dp_manual gateways on the af_packet transport
// (dataplane/linux/packet_socket.hpp; topology.hpp has the picture, namespaces
// vpnlab-r-<pid>-<case>-<node>), and its fallback to protocol-50 sockets.
//
//   af_packet_both_ends   both gateways --esp-transport af_packet, 2 workers: ping and 4 TCP
//                         streams for 2 s cross; each gateway's packet sockets carried the
//                         ESP (dp.af_packet.* counters against the SA counters), the kernel's
//                         stack saw none of it (the nftables ingress drop counted it, no ICMP
//                         protocol unreachable left the gateway), and the table is gone after
//                         the gateway stops.
//   af_packet_both_ends with --rx-ring v2: the same, the gateways receiving through TPACKET_V2
//                         rings instead of the default.
//   fallback_without_nft  gateway A runs where nft is not installed (a private mount
//                         namespace hides it): --esp-transport auto falls back to raw sockets
//                         and says why, --esp-transport af_packet refuses to start; A (raw
//                         socket) and B (af_packet) still carry ping and TCP between them, the
//                         two transports being the same on the wire.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>

#include "topology.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr const char* kKeyA =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223";
constexpr const char* kKeyB =
    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f10111213";

std::string gateway_config(bool a) {
  std::ostringstream o;
  o << "tunnel vpn0\n"
    << "inside " << (a ? "169.254.10.1/30" : "169.254.10.2/30") << "\n"
    << "local " << (a ? "192.0.2.1" : "192.0.2.2") << "\n"
    << "remote " << (a ? "192.0.2.2" : "192.0.2.1") << "\n"
    << "encap raw\nsuite aes256gcm16\n"
    << (a ? std::string("in 0x2002 ") + kKeyB : std::string("in 0x1001 ") + kKeyA) << "\n"
    << (a ? std::string("out 0x1001 ") + kKeyA : std::string("out 0x2002 ") + kKeyB) << "\n"
    << "route " << (a ? "10.2.0.0/24" : "10.1.0.0/24") << "\n";
  return o.str();
}

// "global dp.af_packet.tx.frames 123" / "sa out 0x00001001 packets N ..." -> the number.
std::uint64_t counter(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern + " ([0-9]+)"))) return 0;
  return std::stoull(m[1]);
}

// The sum over every line matching (e.g. "auth_failures" of every SA).
std::uint64_t counter_sum(const std::string& text, const std::string& pattern) {
  std::uint64_t sum = 0;
  std::regex re(pattern + " ([0-9]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    sum += std::stoull((*it)[1]);
  }
  return sum;
}

bool has_line(const std::string& text, const std::string& prefix) {
  return text.find("\n" + prefix) != std::string::npos || text.rfind(prefix, 0) == 0;
}

class AfPacket : public ::testing::Test {
 protected:
  void build(const char* tag) {
    s_ = std::make_unique<testing::Scenario>(tag, "vpnlab-r");
    ASSERT_FALSE(s_->dir().empty());
    ASSERT_EQ(s_->build(), "");
    for (bool a : {true, false}) {
      std::ofstream(s_->dir() + (a ? "/a.conf" : "/b.conf")) << gateway_config(a);
    }
  }
  // rx_ring: vpnlab_dp_manual --rx-ring (empty: its default).
  std::vector<std::string> gateway(bool a, const char* transport, const std::string& rx_ring = "") {
    std::string side = a ? "a" : "b";
    std::vector<std::string> argv = {VPNLAB_DP_MANUAL,  s_->dir() + "/" + side + ".conf",
                                     "--counters",      s_->dir() + "/" + side + ".counters",
                                     "--workers",       "2",
                                     "--esp-transport", transport};
    if (!rx_ring.empty()) argv.insert(argv.end(), {"--rx-ring", rx_ring});
    return argv;
  }
  // The same gateway in a private mount namespace where /usr/sbin/nft (= /sbin/nft) is
  // /dev/null: a host without nftables.
  std::vector<std::string> without_nft(std::vector<std::string> argv) {
    std::vector<std::string> out = {"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                                    "mount --bind /dev/null /usr/sbin/nft && exec \"$0\" \"$@\""};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }
  // Ping and 2 s of 4 TCP streams from host A to host B; returns the TCP bytes received.
  std::uint64_t traffic() {
    int ping = s_->run("hA", {"/usr/bin/ping", "-c", "5", "-i", "0.2", "-W", "2", "10.2.0.2"},
                       "ping.log", std::chrono::seconds(15));
    EXPECT_EQ(ping, 0) << testing::read_file(s_->dir() + "/ping.log");
    pid_t srv = s_->spawn("hB", {"/usr/bin/iperf3", "-s", "-1", "-p", "5201", "--forceflush"},
                          "iperf-srv.log");
    EXPECT_GT(srv, 0);
    EXPECT_TRUE(s_->wait_for_text("iperf-srv.log", "Server listening", std::chrono::seconds(10)));
    int rc = s_->run(
        "hA", {"/usr/bin/iperf3", "-c", "10.2.0.2", "-p", "5201", "-t", "2", "-P", "4", "-J"},
        "iperf.json", std::chrono::seconds(20));
    EXPECT_EQ(rc, 0);
    std::string json = testing::read_file(s_->dir() + "/iperf.json");
    std::smatch m;
    static const std::regex re("\"sum_received\":\\s*\\{[^}]*\"bytes\":\\s*([0-9]+)");
    return std::regex_search(json, m, re) ? std::stoull(m[1]) : 0;
  }
  std::string in_node(const char* node, std::vector<std::string> argv, const char* log) {
    EXPECT_EQ(s_->run(node, std::move(argv), log, std::chrono::seconds(10)), 0);
    return testing::read_file(s_->dir() + "/" + log);
  }

  void both_ends(const char* tag, const std::string& rx_ring);
  std::unique_ptr<testing::Scenario> s_;
};

TEST_F(AfPacket, BothEndsCarryTrafficOnPacketSockets) {
  both_ends("both", "");
}

// The same with the receive mode that is not the default (a TPACKET_V2 ring).
TEST_F(AfPacket, BothEndsCarryTrafficOnV2Rings) {
  both_ends("bothv2", "v2");
}

void AfPacket::both_ends(const char* tag, const std::string& rx_ring) {
  build(tag);
  pid_t ga = s_->spawn("gA", gateway(true, "af_packet", rx_ring), "gA.log");
  pid_t gb = s_->spawn("gB", gateway(false, "af_packet", rx_ring), "gB.log");
  ASSERT_TRUE(s_->wait_for_text("gA.log", "ready", std::chrono::seconds(10)))
      << testing::read_file(s_->dir() + "/gA.log");
  ASSERT_TRUE(s_->wait_for_text("gB.log", "ready", std::chrono::seconds(10)))
      << testing::read_file(s_->dir() + "/gB.log");
  EXPECT_TRUE(has_line(testing::read_file(s_->dir() + "/gA.log"), "esp transport: af_packet\n"));
  std::uint64_t tcp = traffic();
  EXPECT_GT(tcp, 4u << 20) << "less than 4 MB crossed the tunnel in 2 s";

  // The kernel's stack in gB saw none of it: the ingress drop counted the ESP, and gB sent
  // no ICMP destination unreachable (protocol unreachable would be one).
  std::string nft =
      in_node("gB", {"/usr/sbin/nft", "list", "table", "netdev", "vpnlab_esp"}, "nft.log");
  EXPECT_NE(nft.find("device \"wan0\""), std::string::npos) << nft;
  EXPECT_GT(counter(nft, "ip protocol esp counter packets"), 1000u) << nft;
  std::string snmp = in_node("gB", {"/bin/cat", "/proc/net/snmp"}, "snmp.log");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(snmp, m, std::regex("Icmp: .*\nIcmp: (.*)\n"))) << snmp;
  std::vector<std::string> icmp;
  std::istringstream fields(m[1].str());
  for (std::string f; fields >> f;) icmp.push_back(f);
  std::regex_search(snmp, m, std::regex("Icmp: (.*)\n"));
  std::vector<std::string> names;
  std::istringstream nf(m[1].str());
  for (std::string f; nf >> f;) names.push_back(f);
  bool found = false;
  for (std::size_t i = 0; i < names.size() && i < icmp.size(); ++i) {
    if (names[i] != "OutDestUnreachs") continue;
    found = true;
    EXPECT_EQ(icmp[i], "0") << snmp;
  }
  EXPECT_TRUE(found) << snmp;

  EXPECT_EQ(s_->stop(ga), 0);
  EXPECT_EQ(s_->stop(gb), 0);
  // What the SAs carried went through the packet sockets: sends of A (all but the few the
  // kernel sent while it confirmed the neighbour) and receives of B.
  std::string a = testing::read_file(s_->dir() + "/a.counters");
  std::string b = testing::read_file(s_->dir() + "/b.counters");
  std::uint64_t a_out = counter(a, "sa out 0x00001001 packets");
  std::uint64_t b_in = counter(b, "sa in 0x00001001 packets");
  EXPECT_GE(a_out, 1000u) << a;
  EXPECT_GE(counter(a, "global dp.af_packet.tx.frames"), a_out * 9 / 10) << a;
  std::uint64_t a_sent =
      counter(a, "global dp.af_packet.tx.frames") + counter(a, "global dp.af_packet.tx.via_kernel");
  EXPECT_LE(a_sent, a_out) << a;
  EXPECT_GE(a_sent, a_out * 99 / 100) << a;
  EXPECT_GE(counter(b, "global dp.af_packet.rx.frames"), b_in) << b;
  EXPECT_GE(b_in, a_out * 9 / 10) << b;
  EXPECT_GT(counter(b, "sa in 0x00001001 packets [0-9]+ bytes"), tcp);
  EXPECT_EQ(counter(b, "global dp.af_packet.rx.drop.malformed"), 0u) << b;
  for (const std::string& text : {a, b}) {
    EXPECT_EQ(counter_sum(text, "auth_failures"), 0u) << text;
    EXPECT_EQ(counter_sum(text, "replay_drops"), 0u) << text;
  }
  // Stopped: the table went with the gateway.
  std::string rules = in_node("gB", {"/usr/sbin/nft", "list", "ruleset"}, "ruleset.log");
  EXPECT_EQ(rules.find("vpnlab_esp"), std::string::npos) << rules;
}

TEST_F(AfPacket, FallsBackToRawSocketsWithoutNft) {
  build("fallback");
  // Asked for explicitly, af_packet without nft is an error naming the missing tool.
  int forced = s_->run("gA", without_nft(gateway(true, "af_packet")), "forced.log",
                       std::chrono::seconds(10));
  EXPECT_EQ(forced, 1);
  EXPECT_NE(testing::read_file(s_->dir() + "/forced.log").find("nft not found"), std::string::npos)
      << testing::read_file(s_->dir() + "/forced.log");

  pid_t ga = s_->spawn("gA", without_nft(gateway(true, "auto")), "gA.log");
  pid_t gb = s_->spawn("gB", gateway(false, "auto"), "gB.log");
  ASSERT_TRUE(s_->wait_for_text("gA.log", "ready", std::chrono::seconds(10)))
      << testing::read_file(s_->dir() + "/gA.log");
  ASSERT_TRUE(s_->wait_for_text("gB.log", "ready", std::chrono::seconds(10)))
      << testing::read_file(s_->dir() + "/gB.log");
  std::string log_a = testing::read_file(s_->dir() + "/gA.log");
  EXPECT_NE(log_a.find("esp transport: raw socket (af_packet did not start: nft not found"),
            std::string::npos)
      << log_a;
  EXPECT_NE(testing::read_file(s_->dir() + "/gB.log").find("esp transport: af_packet\n"),
            std::string::npos);
  std::uint64_t tcp = traffic();
  EXPECT_GT(tcp, 4u << 20);
  EXPECT_EQ(s_->stop(ga), 0);
  EXPECT_EQ(s_->stop(gb), 0);
  std::string a = testing::read_file(s_->dir() + "/a.counters");
  std::string b = testing::read_file(s_->dir() + "/b.counters");
  EXPECT_EQ(a.find("dp.af_packet"), std::string::npos) << a;           // raw sockets only
  EXPECT_GE(counter(a, "sa in 0x00002002 packets"), 5u) << a;          // from B's packet socket
  EXPECT_GE(counter(b, "global dp.af_packet.rx.frames"), 1000u) << b;  // from A's raw socket
  EXPECT_EQ(counter_sum(a, "auth_failures") + counter_sum(b, "auth_failures"), 0u);
}

}  // namespace
}  // namespace vpnlab::dataplane
