#include "topology/gateway/ike_config.hpp"

#include <gtest/gtest.h>

#include "lab_test_util.hpp"

namespace vpnlab::topology {
namespace {

TEST(IkeConfig, ExpandsAMultiAlgorithmProposal) {
  auto s = parse_ike_proposal("aes128-aes256-sha1-sha256-modp1024-modp2048");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->size(), 8u);  // 2 ciphers x 2 integrity x 2 groups
  EXPECT_EQ((*s)[0].encr, esp::EncrAlgorithm::aes_cbc);
  EXPECT_EQ((*s)[0].key_bits, 128);
  EXPECT_EQ((*s)[0].integ, esp::IntegAlgorithm::hmac_sha1_96);
  EXPECT_EQ((*s)[0].prf, ike::PrfAlgorithm::hmac_sha1);  // PRF follows the MAC
  EXPECT_EQ((*s)[0].dh, ike::DhGroup::modp_1024);
  EXPECT_EQ((*s)[7].key_bits, 256);
  EXPECT_EQ((*s)[7].dh, ike::DhGroup::modp_2048);
}

TEST(IkeConfig, AeadIkeProposalUsesPrfs) {
  auto s = parse_ike_proposal("aes256gcm16-prfsha256-prfsha384-ecp256");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].integ, esp::IntegAlgorithm::none);
  EXPECT_EQ((*s)[1].prf, ike::PrfAlgorithm::hmac_sha2_384);
}

TEST(IkeConfig, EspProposalGroupIsPfs) {
  auto s = parse_esp_proposal("aes256gcm16");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].dh, ike::DhGroup::none);
  auto p = parse_esp_proposal("aes256-sha256-modp2048");
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)[0].dh, ike::DhGroup::modp_2048);
  EXPECT_EQ((*p)[0].esp.integ, esp::IntegAlgorithm::hmac_sha2_256_128);
}

TEST(IkeConfig, UnknownAlgorithmIsNamed) {
  auto s = parse_ike_proposal("aes256-sha256-3des-modp2048");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("'3des'"), std::string::npos) << s.error().message;
  EXPECT_FALSE(parse_ike_proposal("aes256-sha256"));  // no DH group
  EXPECT_FALSE(parse_esp_proposal("aes256"));         // CBC without integrity
}

TEST(IkeConfig, DefaultLabPlansBecomePeerConfigs) {
  auto loaded = load_lab_text(default_lab_yaml(), "lab");
  ASSERT_TRUE(loaded.lab);
  LabPlan plan = compile(*loaded.lab);
  for (const auto& g : plan.gateways) {
    for (const auto& t : g.tunnels) {
      SCOPED_TRACE(t.name);
      auto c = ike_peer_config(g, t);
      ASSERT_TRUE(c) << c.error().message;
      EXPECT_FALSE(c->ike_proposals.empty());
      EXPECT_FALSE(c->child_proposals.empty());
      EXPECT_EQ(c->tunnel, t.device);
      if (g.cloud == Cloud::azure) {
        // ResponderOnly never initiates (cloud-facts "Connection modes").
        EXPECT_FALSE(c->may_initiate());
        // cloud-facts "Default IPsec (phase 2)": 102,400,000 KB.
        EXPECT_EQ(c->child_limits.hard_bytes, 102400000ULL * 1024);
        EXPECT_GT(c->child_limits.soft_bytes, 0u);
        EXPECT_LT(c->child_limits.soft_bytes, c->child_limits.hard_bytes);
      } else {
        EXPECT_EQ(c->child_limits.hard_bytes, 0u);  // AWS: time lifetimes only
        EXPECT_EQ(c->startup, ike::StartupAction::start);
        EXPECT_EQ(c->timers.child_lifetime, std::chrono::seconds(3600));
      }
    }
  }
}

// cloud-facts "DPD timeout action" restart: AWS re-initiates IKE after DPD whatever its startup
// action; add only keeps it from initiating at creation. Azure ResponderOnly never initiates.
TEST(IkeConfig, AwsStartupAddStillRestartsAfterDpd) {
  GatewayPlan aws;
  aws.cloud = Cloud::aws;
  TunnelPlan t;
  t.start = IkeStart::respond_only;  // startup_action add
  t.dpd_action = "restart";
  auto c = ike_peer_config(aws, t);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->startup, ike::StartupAction::add);
  EXPECT_EQ(c->dpd_action, ike::DpdAction::restart);
  EXPECT_TRUE(c->may_initiate());
  GatewayPlan azure;
  azure.cloud = Cloud::azure;
  auto z = ike_peer_config(azure, t);  // ResponderOnly
  ASSERT_TRUE(z) << z.error().message;
  EXPECT_FALSE(z->may_initiate());
}

TEST(IkeConfig, VolumeLifetimeKeepsTheTimeMarginsShare) {
  TunnelPlan t;
  t.child_lifetime_kb = 1000;
  t.child_lifetime_s = 3600;
  t.rekey_margin_s = 540;
  auto l = child_limits(t);
  EXPECT_EQ(l.hard_bytes, 1024000u);
  EXPECT_EQ(l.soft_bytes, 870400u);  // 85 %
  t.child_lifetime_kb = 0;
  EXPECT_EQ(child_limits(t).hard_bytes, 0u);
  EXPECT_EQ(child_limits(t).soft_bytes, 0u);
}

}  // namespace
}  // namespace vpnlab::topology
