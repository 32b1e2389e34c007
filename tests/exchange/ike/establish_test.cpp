// IKE_SA_INIT + IKE_AUTH between two in-process peers, in RFC 7296 1.2 notation, and the
// failure cases of that exchange: wrong PSK, proposal mismatch, INVALID_KE_PAYLOAD retry,
// COOKIE challenge.

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

/// Left's outbound SA equals right's inbound SA (same SPI, suite and keys) and vice versa.
void expect_matching_child(Side& left, Side& right) {
  ASSERT_NE(left.sa(), nullptr);
  ASSERT_NE(right.sa(), nullptr);
  ASSERT_EQ(left.sa()->children().size(), 1u);
  ASSERT_EQ(right.sa()->children().size(), 1u);
  const ChildSa& l = left.sa()->children()[0];
  const ChildSa& r = right.sa()->children()[0];
  EXPECT_EQ(l.outbound, r.inbound);
  EXPECT_EQ(l.inbound, r.outbound);
  const auto& lo = left.installer.outbound.at(l.outbound.value);
  const auto& ri = right.installer.inbound.at(r.inbound.value);
  EXPECT_TRUE(lo.keys.encr_key.equals(ri.keys.encr_key));
  EXPECT_TRUE(lo.keys.integ_key.equals(ri.keys.integ_key));
  EXPECT_EQ(lo.suite, ri.suite);
  const auto& ro = right.installer.outbound.at(r.outbound.value);
  const auto& li = left.installer.inbound.at(l.inbound.value);
  EXPECT_TRUE(ro.keys.encr_key.equals(li.keys.encr_key));
  // The two directions never share keys (RFC 7296 2.17).
  EXPECT_FALSE(lo.keys.encr_key.equals(ro.keys.encr_key));
  EXPECT_EQ(left.installer.active_outbound["tunnel1"], l.outbound.value);
  EXPECT_EQ(right.installer.active_outbound["tunnel1"], r.outbound.value);
  EXPECT_EQ(li.replay_window, 1024u);
}

struct SuiteCase {
  const char* name;
  IkeSuite ike;
  ChildSuite child;
};

class Establish : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(Establish, InitAndAuthInstallMatchingChildSa) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.ike_proposals = r.ike_proposals = {GetParam().ike};
  l.child_proposals = r.child_proposals = {GetParam().child};
  Lab lab(l, r);
  // HDR, SAi1, KEi, Ni, N(NATD_S), N(NATD_D), N(FRAG_SUP)  -->
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  ASSERT_EQ(lab.in_flight(), 1u);
  // <-- HDR, SAr1, KEr, Nr ...; HDR, SK {IDi, AUTH, SAi2, TSi, TSr} --> ; <-- SK {IDr, AUTH, ...}
  lab.deliver();
  ASSERT_TRUE(lab.established());
  EXPECT_TRUE(lab.left.saw(EventKind::ike_established));
  EXPECT_TRUE(lab.right.saw(EventKind::child_established));
  EXPECT_EQ(lab.left.sa()->suite(), GetParam().ike);
  EXPECT_EQ(lab.left.sa()->spi_r(), lab.right.sa()->spi_r());
  expect_matching_child(lab.left, lab.right);
  EXPECT_EQ(lab.left.counter("ike.tx.retransmits"), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Suites, Establish,
    ::testing::Values(
        SuiteCase{
            "gcm256_ecp256",
            {esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
             PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256},
            {{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none}, DhGroup::none}},
        SuiteCase{"cbc128_sha256_modp2048",
                  {esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha2_256_128,
                   PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048},
                  {{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha2_256_128},
                   DhGroup::none}},
        SuiteCase{
            "cbc256_sha1_modp1024",
            {esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha1_96,
             PrfAlgorithm::hmac_sha1, DhGroup::modp_1024},
            {{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha1_96}, DhGroup::none}},
        SuiteCase{"gcm128_x25519_sha512",
                  {esp::EncrAlgorithm::aes_gcm_16, 128, esp::IntegAlgorithm::none,
                   PrfAlgorithm::hmac_sha2_512, DhGroup::curve25519},
                  {{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_512_256},
                   DhGroup::none}},
        SuiteCase{
            "cbc256_sha384_ecp384",
            {esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_384_192,
             PrfAlgorithm::hmac_sha2_384, DhGroup::ecp_384},
            {{esp::EncrAlgorithm::aes_gcm_16, 128, esp::IntegAlgorithm::none}, DhGroup::none}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(EstablishFailures, WrongPskIsAuthenticationFailed) {
  PeerConfig r = lab_peer(false);
  r.psk = SecretBytes(std::string_view("another-psk"));
  Lab lab(lab_peer(true), r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  // <-- HDR, SK {N(AUTHENTICATION_FAILED)}; both IKE_SAs are gone, nothing installed.
  EXPECT_EQ(lab.right.counter("ike.auth.failed"), 1u);
  EXPECT_TRUE(lab.left.saw(EventKind::authentication_failed));
  EXPECT_EQ(lab.left.manager->size(), 0u);
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  EXPECT_TRUE(lab.right.installer.inbound.empty());
}

// RFC 7296 3.5: ID_FQDN identities (what a user's own peer may use instead of the clouds'
// ID_IPV4_ADDR); the PSK AUTH covers the ID body (2.15), and the configured peer ID must match.
TEST(EstablishIds, FqdnIdentitiesEstablish) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.local_id = r.remote_id = IdPayload::fqdn("left.vpnlab.example");
  r.local_id = l.remote_id = IdPayload::fqdn("right.vpnlab.example");
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  expect_matching_child(lab.left, lab.right);
}

TEST(EstablishIds, UnexpectedFqdnIsAuthenticationFailed) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.local_id = IdPayload::fqdn("intruder.vpnlab.example");
  r.remote_id = IdPayload::fqdn("left.vpnlab.example");
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  EXPECT_EQ(lab.right.counter("ike.auth.failed"), 1u);
  EXPECT_TRUE(lab.left.saw(EventKind::authentication_failed));
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_TRUE(lab.right.installer.inbound.empty());
}

TEST(EstablishFailures, ProposalMismatchIsNoProposalChosen) {
  PeerConfig r = lab_peer(false);
  r.ike_proposals[0].encr = esp::EncrAlgorithm::aes_cbc;
  r.ike_proposals[0].integ = esp::IntegAlgorithm::hmac_sha1_96;
  Lab lab(lab_peer(true), r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  // <-- HDR, N(NO_PROPOSAL_CHOSEN): unprotected, and the responder keeps no state.
  EXPECT_TRUE(lab.left.saw(EventKind::no_proposal_chosen));
  EXPECT_EQ(lab.right.counter("ike.rx.no_proposal_chosen"), 1u);
  EXPECT_EQ(lab.left.manager->size(), 0u);
  EXPECT_EQ(lab.right.manager->size(), 0u);
}

TEST(EstablishFailures, ChildProposalMismatchKeepsIkeSa) {
  PeerConfig r = lab_peer(false);
  r.child_proposals[0].esp.key_bits = 128;
  Lab lab(lab_peer(true), r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  // <-- HDR, SK {IDr, AUTH, N(NO_PROPOSAL_CHOSEN)}: IKE_SA up, no CHILD_SA (RFC 7296 1.2).
  ASSERT_TRUE(lab.established());
  EXPECT_TRUE(lab.left.sa()->children().empty());
  EXPECT_TRUE(lab.left.saw(EventKind::no_proposal_chosen));
}

TEST(EstablishRetries, InvalidKePayloadRetryWithTheResponderGroup) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  IkeSuite modp = l.ike_proposals[0];
  modp.dh = DhGroup::modp_2048;
  l.ike_proposals.push_back(modp);  // KEi is ECP-256 (first proposal)
  r.ike_proposals = {modp};
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  // <-- HDR, N(INVALID_KE_PAYLOAD, 14); HDR, SAi1, KEi(14), Ni --> ...
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.right.counter("ike.rx.invalid_ke_payload"), 1u);
  EXPECT_EQ(lab.left.counter("ike.init.invalid_ke_retry"), 1u);
  EXPECT_EQ(lab.left.sa()->suite()->dh, DhGroup::modp_2048);
  expect_matching_child(lab.left, lab.right);
}

TEST(EstablishRetries, CookieChallengeAboveHalfOpenThreshold) {
  PeerConfig r = lab_peer(false);
  r.cookie_threshold = 0;  // always under attack
  Lab lab(lab_peer(true), r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  // <-- HDR, N(COOKIE): no state kept on the responder.
  lab.deliver(1);
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_EQ(lab.right.counter("ike.rx.cookie_challenge"), 1u);
  // HDR, N(COOKIE), SAi1, KEi, Ni --> ...
  lab.deliver();
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.counter("ike.init.cookie_retry"), 1u);
  expect_matching_child(lab.left, lab.right);
}

TEST(EstablishRetries, ForgedCookieIsChallengedAgain) {
  PeerConfig r = lab_peer(false);
  r.cookie_threshold = 0;
  Lab lab(lab_peer(true), r);
  lab.filter = [](Datagram& d, bool from_left) {
    // Corrupt the cookie the initiator echoes (first payload body after generic header).
    if (from_left && d.data.size() > 40 && d.data[16] == 41) d.data[40] ^= 1;
    return true;
  };
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  EXPECT_EQ(lab.right.counter("ike.rx.bad_cookie"), 1u);
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_FALSE(lab.established());
}

}  // namespace
}  // namespace vpnlab::ike::test
