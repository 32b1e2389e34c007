// Interop with strongSwan charon: the failure and teardown paths in the directions the other
// files do not cover. Each checks the notify on the wire (charon's log), vpnlab's counter
// and event, and that no SA is left behind:
//  - charon initiates with a wrong PSK: vpnlab answers IKE_AUTH with AUTHENTICATION_FAILED
//    (RFC 7296 2.21.2);
//  - vpnlab initiates with proposals charon does not accept: charon's NO_PROPOSAL_CHOSEN
//    (2.7) ends vpnlab's attempt;
//  - liveness checks (2.4) from charon are answered; DPD when charon disappears clears the
//    IKE_SA and its CHILD_SAs (AWS DPDTimeoutAction clear);
//  - DELETE (1.4.1) of the IKE_SA started by vpnlab.

#include "tests/interop/ike/interop_fixture.hpp"

namespace vpnlab::ike::test {
namespace {

class StrongSwanFailures : public StrongSwanInteropBase {};

TEST_F(StrongSwanFailures, CharonWithWrongPskGetsAuthenticationFailed) {
  InteropSetup s;
  s.charon_psk = "a-different-psk-9876543210";
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_TRUE(saw(EventKind::authentication_failed));
  EXPECT_EQ(counters_.get("ike.auth.failed").get(), 1u);
  EXPECT_TRUE(installer_.inbound.empty());
  ASSERT_TRUE(run_until([&] { return manager_->size() == 0; }));
  EXPECT_NE(peer_->log().find("received AUTHENTICATION_FAILED"), std::string::npos);
}

TEST_F(StrongSwanFailures, CharonRejectsOurProposalsWithNoProposalChosen) {
  InteropSetup s;
  s.charon_ike = "aes128-sha1-modp1024";
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::no_proposal_chosen); }));
  ASSERT_TRUE(run_until([&] { return manager_->size() == 0; }));
  EXPECT_EQ(counters_.get("ike.init.rejected_by_peer").get(), 1u);
  EXPECT_TRUE(installer_.inbound.empty());
  EXPECT_NE(peer_->log().find("IKE_SA_INIT response 0 [ N(NO_PROP) ]"), std::string::npos);
}

// charon's dpd_delay makes it send empty INFORMATIONAL requests; vpnlab answers each, so
// charon keeps the SA. Then charon's link goes down: vpnlab's own liveness check times out.
TEST_F(StrongSwanFailures, LivenessChecksBothWaysAndDeadPeerIsCleared) {
  InteropSetup s;
  s.charon_dpd_s = 1;
  s.time_factor = 0.1;  // DPD interval 1 s, timeout 3 s
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  ASSERT_TRUE(run_until([&] { return counters_.get("ike.rx.liveness_check").get() >= 2; }, 30));
  EXPECT_GE(counters_.get("ike.dpd.sent").get(), 1u);
  EXPECT_NE(peer_->swanctl("--list-sas").output.find("ESTABLISHED"), std::string::npos);
  ASSERT_EQ(run_command("ip -n " + peer_->charon_netns() + " link set va down").status, 0);
  ASSERT_TRUE(run_until([&] { return saw(EventKind::peer_dead); }, 30));
  EXPECT_GE(counters_.get("ike.dpd.timeout").get(), 1u);
  ASSERT_TRUE(run_until([&] { return manager_->size() == 0; }));
  EXPECT_TRUE(installer_.inbound.empty());
  EXPECT_TRUE(installer_.outbound.empty());
}

TEST_F(StrongSwanFailures, VpnlabDeletesTheIkeSa) {
  ASSERT_NO_FATAL_FAILURE(start(InteropSetup{}));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  daemon_->apply(manager_->with_sa(sa()->local_spi(), [](IkeSa& sa) { return sa.close(); }));
  ASSERT_TRUE(run_until([&] { return manager_->size() == 0; }));
  EXPECT_TRUE(saw(EventKind::ike_closed));
  EXPECT_TRUE(installer_.inbound.empty());
  EXPECT_EQ(peer_->swanctl("--list-sas").output.find("ESTABLISHED"), std::string::npos);
  EXPECT_NE(peer_->log().find("received DELETE for IKE_SA"), std::string::npos);
}

}  // namespace
}  // namespace vpnlab::ike::test
