// Interop with strongSwan charon beyond AES-CBC/MODP: AES-GCM-256 for IKE and ESP (RFC 5282,
// RFC 4106), the ECP and Curve25519 DH groups (RFC 5903, RFC 8031), and the two failures a
// misconfigured tunnel shows first: a wrong PSK (RFC 7296 2.15, AUTHENTICATION_FAILED) and
// disjoint proposals (RFC 7296 2.7, NO_PROPOSAL_CHOSEN). charon loads its openssl plugin for
// GCM and the elliptic-curve groups (charon_peer.cpp).

#include "tests/interop/ike/interop_fixture.hpp"

namespace vpnlab::ike::test {
namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;

class StrongSwanSuites : public StrongSwanInteropBase {};

// RFC 5282: AES-GCM protects the IKE_SA (no integrity transform, PRF negotiated apart);
// RFC 4106: the CHILD_SA key is 32 bytes of key plus a 4-byte salt, compared with charon's.
TEST_F(StrongSwanSuites, AesGcm256IkeAndEsp) {
  InteropSetup s;
  s.charon_ike = "aes256gcm16-prfsha256-modp2048";
  s.charon_esp = "aes256gcm16";
  s.ike = IkeSuite{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none,
                   PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
  s.child = ChildSuite{{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, DhGroup::none};
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  expect_child_matches_charon();
  EXPECT_EQ(installer_.outbound.begin()->second.keys.encr_key.size(), 36u);
  CommandResult list = peer_->swanctl("--list-sas");
  EXPECT_NE(list.output.find("AES_GCM_16-256/PRF_HMAC_SHA2_256/MODP_2048"), std::string::npos)
      << list.output;
}

struct GroupCase {
  const char* charon_name;
  DhGroup group;
};

class StrongSwanDhGroups : public StrongSwanInteropBase,
                           public ::testing::WithParamInterface<GroupCase> {};

// RFC 5903 (ECP groups 19, 20) and RFC 8031 (Curve25519, group 31): charon initiates with
// the group as its only one, so vpnlab's KE payload encoding and shared secret must match.
TEST_P(StrongSwanDhGroups, CharonInitiatesWithGroup) {
  InteropSetup s;
  s.charon_ike = std::string("aes256-sha256-") + GetParam().charon_name;
  s.ike.dh = GetParam().group;
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  expect_child_matches_charon();
  EXPECT_EQ(sa()->suite()->dh, GetParam().group);
}

INSTANTIATE_TEST_SUITE_P(Groups, StrongSwanDhGroups,
                         ::testing::Values(GroupCase{"ecp256", DhGroup::ecp_256},
                                           GroupCase{"ecp384", DhGroup::ecp_384},
                                           GroupCase{"curve25519", DhGroup::curve25519}),
                         [](const ::testing::TestParamInfo<GroupCase>& i) {
                           return std::string(i.param.charon_name);
                         });

// RFC 7296 2.15 / 2.21.2: charon cannot verify our AUTH and answers IKE_AUTH with
// AUTHENTICATION_FAILED; vpnlab reports it and neither side keeps an IKE_SA.
TEST_F(StrongSwanSuites, WrongPskFailsAuthentication) {
  InteropSetup s;
  s.charon_psk = "a-different-psk-9876543210";
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::authentication_failed); }));
  EXPECT_EQ(counters_.get("ike.auth.failed").get(), 1u);
  EXPECT_FALSE(saw(EventKind::child_established));
  EXPECT_TRUE(installer_.inbound.empty());
  ASSERT_TRUE(run_until([&] { return manager_->size() == 0; }));
  CommandResult list = peer_->swanctl("--list-sas");
  EXPECT_EQ(list.output.find("ESTABLISHED"), std::string::npos) << list.output;
  EXPECT_NE(peer_->log().find("MAC mismatched"), std::string::npos);
}

// RFC 7296 2.7: charon offers only AES-128/SHA-1/MODP-1024, vpnlab only AES-256/SHA-256/
// MODP-2048; vpnlab answers IKE_SA_INIT with NO_PROPOSAL_CHOSEN and keeps no IKE_SA.
TEST_F(StrongSwanSuites, DisjointProposalsNoProposalChosen) {
  InteropSetup s;
  s.charon_ike = "aes128-sha1-modp1024";
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_TRUE(saw(EventKind::no_proposal_chosen));
  EXPECT_EQ(counters_.get("ike.rx.no_proposal_chosen").get(), 1u);
  EXPECT_EQ(manager_->size(), 0u);
  EXPECT_NE(peer_->log().find("NO_PROPOSAL_CHOSEN"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::ike::test
