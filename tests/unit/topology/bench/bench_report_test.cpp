// vpnlab bench's pure parts: iperf3's JSON report (real iperf 3.12 outputs in data/bench/),
// the attribution of a counter delta to tunnels, and the clouds' documented limits.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "topology/bench/bench_report.hpp"
#include "topology/bench/bench_run.hpp"
#include "topology/bench/iperf.hpp"
#include "topology/cloud_limits.hpp"

namespace vpnlab::topology::bench {
namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(BENCH_DATA_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(IperfJson, UdpCountsWhatTheReceiverGot) {
  auto r = parse_iperf_json(data("iperf_udp_64.json"), true);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->packets, 120954u);
  EXPECT_EQ(r->lost_packets, 60621u);
  // 60333 datagrams arrived in 1.000385 s.
  EXPECT_NEAR(r->packets_per_second(), 60333 / 1.000385, 1);
  EXPECT_EQ(r->bytes, 60333u * 64);
}

TEST(IperfJson, TcpTakesTheReceivedRateAndTheSendersRetransmits) {
  auto r = parse_iperf_json(data("iperf_tcp_reverse.json"), false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->bits_per_second, 10013814940.3, 1);
  EXPECT_EQ(r->retransmits, 3u);
}

TEST(IperfJson, ErrorsSayWhat) {
  auto e = parse_iperf_json(
      R"({"start":{},"error":"unable to connect to server: Connection refused"})", false);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("Connection refused"), std::string::npos);
  e = parse_iperf_json("iperf3: error", false);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("not a JSON document"), std::string::npos);
  e = parse_iperf_json(R"({"end":{}})", true);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("sum_received"), std::string::npos);
}

TEST(IperfArgv, UdpFloodsSmallDatagramsAndReverseTurnsTheDirection) {
  IperfCase c;
  c.udp = true;
  c.reverse = true;
  c.streams = 4;
  auto argv = iperf_client_argv(c, *Ipv4Address::parse("10.2.0.4"), 5201);
  std::string line;
  for (const auto& a : argv) line += a + " ";
  EXPECT_EQ(line, "/usr/bin/iperf3 -c 10.2.0.4 -p 5201 -t 5 -P 4 -J -R -u -b 32000000 -l 64 ");
}

TunnelCount count(std::string node, std::string dev, bool aws, std::uint64_t tx, std::uint64_t rx) {
  return {std::move(node), std::move(dev), dev + "-name", aws, tx, tx / 1000, rx, rx / 1000};
}

TEST(TunnelShares, VnetToVpcIsWhatTheVgwDecryptedPerTunnel) {
  SampleDelta d;
  d.seconds = 2;
  // The VGW's view of three tunnels: aws0t1 carried 3/4, aws1t1 1/4, aws0t2 a trickle (BGP).
  d.tunnels = {count("aws-vgw", "aws0t1", true, 10, 750'000'000),
               count("aws-vgw", "aws1t1", true, 10, 250'000'000),
               count("aws-vgw", "aws0t2", true, 10, 1'000),
               // Azure's view of aws0t1 says the same in the other column; the VGW's wins.
               count("azure-gw0", "aws0t1", false, 1, 0)};
  auto s = tunnel_shares(d, true);
  ASSERT_EQ(s.size(), 2u);  // under 1 % is not a path in use
  EXPECT_EQ(s[0].device, "aws0t1");
  EXPECT_NEAR(s[0].share, 0.75, 1e-6);
  EXPECT_NEAR(s[0].gbps, 3.0, 1e-9);  // 750 MB in 2 s
  EXPECT_EQ(s[0].seen_at, "aws-vgw");
  EXPECT_EQ(s[1].device, "aws1t1");
}

TEST(TunnelShares, VpcToVnetIsWhatTheVgwEncryptedOrAzureReceived) {
  SampleDelta d;
  d.seconds = 1;
  // No vpnlab VGW (a real node there): the Azure end's received bytes count.
  d.tunnels = {count("azure-gw1", "aws1t2", false, 0, 500'000'000)};
  auto s = tunnel_shares(d, false);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].seen_at, "azure-gw1");
  EXPECT_NEAR(s[0].gbps, 4.0, 1e-9);
}

TEST(CloudLimits, AwsPerTunnelAndAzureSkuAggregate) {
  auto aws = aws_tunnel_limit();
  EXPECT_DOUBLE_EQ(aws.gbps, 1.25);
  EXPECT_EQ(aws.pps, 140000u);
  EXPECT_DOUBLE_EQ(aws_tunnel_limit("large").gbps, 5.0);
  auto gw2 = azure_sku_aggregate("VpnGw2AZ", "Generation2");
  ASSERT_TRUE(gw2);
  EXPECT_DOUBLE_EQ(gw2->gbps, 1.25);
  EXPECT_DOUBLE_EQ(azure_sku_aggregate("VpnGw2", "Generation1")->gbps, 1.0);
  EXPECT_FALSE(azure_sku_aggregate("VpnGw9", "Generation2"));
}

TEST(BenchText, NamesLimitsAndFailures) {
  BenchReport r;
  r.lab = "t";
  r.vm = "10.1.0.4";
  r.host = "10.2.0.4";
  r.seconds = 5;
  r.aws_per_tunnel = aws_tunnel_limit();
  r.azure_sku = "VpnGw2 Generation2";
  r.azure_aggregate = azure_sku_aggregate("VpnGw2", "Generation2");
  BenchCase ok;
  ok.title = "TCP, 1 stream";
  ok.result = IperfResult{5, 1.5e9, 937'500'000, 47, 0, 0};
  ok.tunnels = {{"aws0t1", "ToAzureInstance0.tunnel1", "aws-vgw", 937'500'000, 1.5, 125.0, 1.0}};
  BenchCase bad;
  bad.title = "UDP 64-byte datagrams, 4 streams";
  bad.vnet_to_vpc = false;
  bad.error = "iperf3 report: unable to connect";
  r.cases = {ok, bad};
  auto text = render_text(r);
  EXPECT_NE(text.find("TCP, 1 stream, VNet VM -> VPC host: 1.50 Gbps, 47 retransmits"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("aws0t1"), std::string::npos);
  EXPECT_NE(text.find("VPC host -> VNet VM: FAILED - iperf3 report: unable to connect"),
            std::string::npos);
  EXPECT_NE(text.find("AWS 1.25 Gbps and 140000 packets/s per tunnel"), std::string::npos);
  EXPECT_NE(text.find("Azure VpnGw2 Generation2 1.25 Gbps aggregate"), std::string::npos);
  auto json = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(json["cases"][0]["tunnels"][0]["device"], "aws0t1");
  EXPECT_EQ(json["cases"][1]["error"], "iperf3 report: unable to connect");
  EXPECT_EQ(json["limits"]["aws_per_tunnel"]["pps"], 140000);
}

TEST(BenchText, AnAzureInstancesAggregateHasItsOwnLineAndVerdict) {
  BenchReport r;
  BenchCase c;
  c.title = "TCP, 4 streams";
  c.result = IperfResult{5, 1.6e9, 1'000'000'000, 0, 0, 0};
  TunnelShare sum{"azure-gw1", "SKU aggregate", "azure-gw1", 725'000'000, 1.16, 102.1, 0.698};
  sum.limit_gbps = 1.25;  // VpnGw2 Gen2; no packet-rate figure
  c.aggregates = {sum};
  r.cases = {c};
  auto text = render_text(r);
  EXPECT_NE(text.find("azure-gw1 SKU aggregate"), std::string::npos) << text;
  EXPECT_NE(text.find("limit 1.25 Gbps: held at 93 % of it"), std::string::npos) << text;
  auto json = nlohmann::json::parse(render_json(r));
  const auto& a = json["cases"][0]["azure_aggregates"][0];
  EXPECT_EQ(a["device"], "azure-gw1");
  EXPECT_EQ(a["limit_gbps"], 1.25);
  EXPECT_EQ(a["within_limit"], true);
}

TEST(LimitVerdict, HeldOnlyWhenReachedNotReachedBelowExceededAbove) {
  TunnelShare t{"aws0t1", "ToAzureInstance0.tunnel1", "aws-vgw", 0, 1.24, 100.0, 1.0};
  t.limit_gbps = 1.25;
  t.limit_kpps = 140;
  EXPECT_EQ(t.limit_verdict(), "held at 99 % of it");
  t.gbps = 0.5;  // the packet rate is the larger use: 100 / 140
  EXPECT_EQ(t.limit_verdict(), "not reached (71 % of it)");
  t.kpps = 150;  // 107 %: beyond the 5 % margin
  EXPECT_EQ(t.limit_verdict(), "EXCEEDED (107 % of it)");
  EXPECT_FALSE(t.within_limit());
}

TEST(BenchCases, LimitProbesOfferOneAndAHalfTimesEachLimitOverOneTunnel) {
  BenchOptions opt;
  opt.seconds = 3;
  EXPECT_EQ(bench_cases(opt).size(), 6u);
  opt.limit_probe_gbps = 1.25;
  opt.limit_probe_pps = 140000;
  auto cases = bench_cases(opt);
  ASSERT_EQ(cases.size(), 8u);
  for (const auto& probe : {cases[6], cases[7]}) {
    EXPECT_TRUE(probe.limit_probe);
    EXPECT_TRUE(probe.own_generator);  // iperf3 cannot offer this much from one thread
    EXPECT_FALSE(probe.vnet_to_vpc);   // the VGW sends it, on the tunnel its path choice picks
    EXPECT_TRUE(probe.iperf.reverse && probe.iperf.udp);
    EXPECT_EQ(probe.iperf.seconds, 3);
  }
  // 1.5 x 1.25 Gbps of 1228-byte inner packets; 1.5 x 140,000 64-byte datagrams.
  EXPECT_NEAR(cases[6].iperf.udp_offered_pps * 1228.0 * 8, 1.875e9, 1e6);
  EXPECT_EQ(cases[6].iperf.udp_payload, 1200);
  EXPECT_EQ(cases[7].iperf.udp_offered_pps, 210000);
  EXPECT_EQ(cases[7].iperf.udp_payload, 64);
  // The six iperf3 cases stay iperf3's.
  for (int i = 0; i < 6; ++i) EXPECT_FALSE(cases[i].own_generator) << i;
}

TEST(BenchReport, AProbeSaysWhatItSentAndWhichGeneratorSentIt) {
  BenchReport r;
  BenchCase c = bench_cases([] {
                  BenchOptions o;
                  o.seconds = 2;
                  o.limit_probe_pps = 140000;
                  return o;
                }())
                    .back();
  IperfResult res;
  res.seconds = 2;
  res.bytes = 280000 * 64;
  res.bits_per_second = 8.0 * static_cast<double>(res.bytes) / 2;
  res.packets = 420000;  // sent
  res.lost_packets = 140000;
  c.result = res;
  r.cases.push_back(c);
  auto text = render_text(r);
  EXPECT_NE(text.find("140.0 kpps received of 210.0 kpps sent (33.3 % lost)"), std::string::npos)
      << text;
  auto json = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(json["cases"][0]["generator"], "vpnlab");
  EXPECT_EQ(json["cases"][0]["offered_pps"], 210000);
}

}  // namespace
}  // namespace vpnlab::topology::bench
