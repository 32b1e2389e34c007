// swanctl.conf / strongswan.conf on the reference lab's plans (each cloud rule as charon's
// own setting), vici message encoding, and the list-sas -> gateway status mapping on an
// event shaped as charon 5.9.8 sends it (field names from src/libcharon/plugins/vici).
#include <gtest/gtest.h>

#include "node_plans.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/nodes/strongswan.hpp"
#include "topology/nodes/vici.hpp"

namespace vpnlab::topology::nodes {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(SwanctlConfig, AwsTunnelsInitiateWithAwsProposalsLifetimesAndDpd) {
  const GatewayPlan plan = reference_plan("aws-vgw");
  const std::string c = swanctl_config(plan, false);
  for (const char* line :
       {"  aws0t1 {\n", "  aws1t2 {\n", "    local_addrs = 198.51.100.10\n",
        "    remote_addrs = 203.0.113.10\n",
        // cloud-facts §1.1 [A-TUN]: every allowed algorithm, CBC and GCM families.
        "    proposals = aes128-aes256-sha1-sha256-sha384-sha512-modp1024-modp2048",
        "aes128gcm16-aes256gcm16-prfsha1-prfsha256",
        // 28800 s phase 1, 3600 s phase 2, margin 540 s, fuzz 100 %.
        "    rekey_time = 28260s\n", "    over_time = 540s\n", "    rand_time = 540s\n",
        "        rekey_time = 3060s\n", "        life_time = 3600s\n",
        "        replay_window = 1024\n",
        // DPD 30 s: probes every 10 s, action clear; startup action start.
        "    dpd_delay = 10s\n", "        dpd_action = clear\n", "        start_action = start\n",
        // Narrowed selectors: the /30 on both sides plus the VPC to anything.
        "        local_ts = 169.254.21.0/30, 10.2.0.0/16\n",
        "        remote_ts = 169.254.21.0/30, 0.0.0.0/0\n", "    id-local = 198.51.100.12\n",
        "    id-remote = 203.0.113.11\n"}) {
    EXPECT_TRUE(has(c, line)) << "missing: " << line << "\n" << c;
  }
  EXPECT_FALSE(has(c, "vpnlab.Tunnel1")) << "a PSK leaked into a redacted export";
  EXPECT_TRUE(has(c, "<redacted: vpnlab export --show-secrets>"));
}

TEST(SwanctlConfig, AzureResponderOnlyWaitsAndCarriesVolumeLifetime) {
  const GatewayPlan plan = reference_plan("azure-gw1");
  const std::string c = swanctl_config(plan, true);
  for (const char* line :
       {"  aws1t1 {\n", "  aws1t2 {\n", "    local_addrs = 203.0.113.11\n",
        "    proposals = aes256-sha1-modp1024, aes256-sha256-modp1024",  // [Z-DEV]
        "        esp_proposals = aes256gcm16, aes256-sha1",
        // ResponderOnly [Z-MODE]: never initiates, not even after DPD.
        "        start_action = none\n", "        dpd_action = clear\n",
        // 27,000 s and 102,400,000 KB [Z-DEV]; DPD timeout 45 s -> every 15 s.
        "        life_time = 27000s\n", "        life_bytes = 104857600000\n",
        "    dpd_delay = 15s\n", "        local_ts = 169.254.21.4/30, 10.1.0.0/16\n",
        "        local_ts = 169.254.22.4/30, 10.1.0.0/16\n",
        "    secret = \"vpnlab.Tunnel1.Instance1_Hb6Ny3Fs\"\n",
        "#   ip addr add 169.254.21.6/30 dev ipsec0",
        "#   ip addr add 169.254.22.6/30 dev ipsec0"}) {
    EXPECT_TRUE(has(c, line)) << "missing: " << line << "\n" << c;
  }
  EXPECT_FALSE(has(c, "aws0t1")) << "instance 0's tunnel leaked into instance 1";
}

TEST(SwanctlConfig, TimesScaleWithTheLabTimeFactorAndAPskWithQuotesIsBase64) {
  GatewayPlan plan = reference_plan("aws-vgw");
  plan.time_factor = 0.1;
  plan.tunnels[0].psk = SecretBytes(std::string_view("a\"b\\c d"));
  const std::string c = swanctl_config(plan, true);
  EXPECT_TRUE(has(c, "        life_time = 360s\n")) << c;
  EXPECT_TRUE(has(c, "    rekey_time = 2826s\n")) << c;
  EXPECT_TRUE(has(c, "    secret = 0sYSJiXGMgZA==\n")) << c;
}

TEST(StrongswanConfig, OwnSocketLogAndRetransmitsStandingForDpd) {
  const GatewayPlan plan = reference_plan("aws-vgw");
  const std::string c = strongswan_config(plan, {"/run/vpnlab/lab1", "aws-vgw"});
  for (const char* line :
       {"kernel-libipsec", "vici { socket = unix:///run/vpnlab/lab1/aws-vgw.charon.vici }",
        "      path = /run/vpnlab/lab1/aws-vgw.charon.log\n", "  retransmit_timeout = 10\n",
        "  retransmit_tries = 2\n", "  routing_table_prio = 32767\n"}) {
    EXPECT_TRUE(has(c, line)) << "missing: " << line << "\n" << c;
  }
}

TEST(StrongswanNotes, SaySelectorsAndFailover) {
  auto notes = strongswan_notes(reference_plan("azure-gw0"));
  ASSERT_FALSE(notes.empty());
  EXPECT_TRUE(has(notes[0], "10.1.0.0/16 <-> 0.0.0.0/0")) << notes[0];
  EXPECT_TRUE(has(notes[0], "no ECMP")) << notes[0];
}

TEST(Vici, MessagesRoundTrip) {
  nlohmann::json m = {
      {"ike", "aws0t1"}, {"timeout", "-1"}, {"sec", {{"a", "1"}, {"list", {"x", "y"}}}}};
  auto bytes = vici_encode(m);
  auto back = vici_decode(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, m);
  EXPECT_FALSE(vici_decode(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(vici_decode(std::string(1, '\x09')));
}

nlohmann::json list_sa_event(const std::string& state, bool child) {
  nlohmann::json sa = {{"uniqueid", "1"},
                       {"version", "2"},
                       {"state", state},
                       {"remote-host", "198.51.100.10"},
                       {"remote-port", "4500"},
                       {"initiator-spi", "6d2977e7c1b6126b"},
                       {"responder-spi", "8dffc9ab70eee43e"},
                       {"encr-alg", "AES_CBC"},
                       {"encr-keysize", "256"},
                       {"integ-alg", "HMAC_SHA1_96"},
                       {"prf-alg", "PRF_HMAC_SHA1"},
                       {"dh-group", "MODP_1024"},
                       {"established", "20"},
                       {"rekey-time", "5000"},
                       {"child-sas", nlohmann::json::object()}};
  if (child) {
    sa["child-sas"]["aws0t1-1"] = {
        {"name", "aws0t1"},      {"state", "INSTALLED"},     {"spi-in", "fb11acdd"},
        {"spi-out", "b594a7e2"}, {"encr-alg", "AES_GCM_16"}, {"encr-keysize", "256"},
        {"bytes-in", "4646"},    {"packets-in", "74"},       {"bytes-out", "2821"},
        {"packets-out", "38"},   {"rekey-time", "500"},      {"install-time", "10"}};
  }
  return {{"aws0t1", sa}};
}

TEST(StrongswanStatus, ListSasMapToTheGatewayTunnelShape) {
  const GatewayPlan plan = reference_plan("azure-gw0");
  auto t = strongswan_tunnels_from(
      plan, nlohmann::json::array({list_sa_event("ESTABLISHED", true)}), 1000000);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0]["name"], "AWSTunnel1ToInstance0");
  EXPECT_EQ(t[0]["azure_connection"], "AWSTunnel1ToInstance0");
  EXPECT_EQ(t[0]["status"], "UP");
  EXPECT_EQ(t[0]["last_status_change"], "1970-01-12T13:46:30Z");  // now - install-time
  EXPECT_EQ(t[0]["counters"]["dp.rx.bytes"], 4646);
  EXPECT_EQ(t[0]["counters"]["dp.tx.bytes"], 2821);
  const auto& ike = t[0]["ike_sas"][0];
  EXPECT_EQ(ike["state"], "ESTABLISHED");
  EXPECT_EQ(ike["role"], "responder");
  EXPECT_EQ(ike["suite"], "aes256-sha1-prfsha1-modp1024");
  EXPECT_EQ(ike["spis"], "6d2977e7c1b6126b/8dffc9ab70eee43e");
  EXPECT_EQ(ike["remote"], "198.51.100.10:4500");
  EXPECT_EQ(ike["rekey_in_s"], 5000);
  const auto& child = ike["child_sas"][0];
  EXPECT_EQ(child["suite"], "aes256gcm16");
  EXPECT_EQ(child["spi_in"], "0xfb11acdd");
  EXPECT_EQ(child["outbound_active"], true);
  EXPECT_EQ(child["in"]["packets"], 74);
  // The other tunnel has no IKE_SA: DOWN, with a reason the consoles print.
  EXPECT_EQ(t[1]["status"], "DOWN");
  EXPECT_EQ(t[1]["last_error"], "charon: no IKE_SA for aws0t2");
}

TEST(StrongswanStatus, AnIkeSaWithoutChildIsDown) {
  const GatewayPlan plan = reference_plan("azure-gw0");
  auto t = strongswan_tunnels_from(
      plan, nlohmann::json::array({list_sa_event("ESTABLISHED", false)}), 1000000);
  EXPECT_EQ(t[0]["status"], "DOWN");
  EXPECT_EQ(t[0]["last_error"], "charon: no installed CHILD_SA");
}

TEST(RealNode, BgpPlanDropsPerTunnelDevicesAndDispatchKnowsVpnlabNodes) {
  GatewayPlan plan = reference_plan("aws-vgw");
  EXPECT_FALSE(is_real(plan));
  plan.implementation = "strongswan+bird";
  EXPECT_TRUE(is_real(plan));
  for (const auto& n : bgp_plan(plan).bgp_neighbors) EXPECT_EQ(n.device, "");
}

}  // namespace
}  // namespace vpnlab::topology::nodes
