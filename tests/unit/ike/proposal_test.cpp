// Proposal negotiation (RFC 7296 2.7, 3.3.1): the responder's own preference, one transform
// per type in the reply numbered as the accepted proposal, NO_PROPOSAL_CHOSEN (nullopt) when
// nothing matches; the initiator accepts only a reply naming a proposal it sent.

#include <gtest/gtest.h>

#include "ike/core/proposal.hpp"

namespace vpnlab::ike {
namespace {

const IkeSuite kGcm{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
                    PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
const IkeSuite kCbc{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha2_256_128,
                    PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};

TEST(Proposal, ResponderPicksByItsOwnPreferenceAndAnswersWithThatNumber) {
  SaPayload offered{{to_proposal(kCbc, 1), to_proposal(kGcm, 2)}};
  auto c = choose_ike(offered, {kGcm, kCbc});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->suite, kGcm);  // our order wins, not the peer's first proposal
  EXPECT_EQ(c->proposal.number, 2);
  EXPECT_EQ(accept_ike(SaPayload{{c->proposal}}, {kGcm, kCbc}, offered.proposals), kGcm);
  // The same reply numbered as a proposal we did not send, or as the other one: refused.
  Proposal wrong = c->proposal;
  wrong.number = 1;
  EXPECT_FALSE(accept_ike(SaPayload{{wrong}}, {kGcm, kCbc}, offered.proposals).has_value());
  wrong.number = 3;
  EXPECT_FALSE(accept_ike(SaPayload{{wrong}}, {kGcm, kCbc}, offered.proposals).has_value());
}

TEST(Proposal, ResponderTakesTheGroupOfTheKeWhenItAcceptsItForItsPreferredCiphers) {
  IkeSuite gcm384 = kGcm;
  gcm384.dh = DhGroup::ecp_384;
  SaPayload offered{{to_proposal(kCbc, 1), to_proposal(kGcm, 2), to_proposal(gcm384, 3)}};
  auto c = choose_ike(offered, {kGcm, gcm384, kCbc}, 0, DhGroup::ecp_384);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->suite, gcm384);
  EXPECT_EQ(c->proposal.number, 3);
  // A KE group we accept only with less preferred ciphers does not change the ciphers.
  auto d = choose_ike(offered, {kGcm, kCbc}, 0, DhGroup::modp_2048);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->suite, kGcm);
}

TEST(Proposal, ChildResponderPrefersItsOwnOrderAcrossPeerProposals) {
  ChildSuite cbc{{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha1_96},
                 DhGroup::none};
  ChildSuite gcm{{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none}, DhGroup::none};
  std::vector<Proposal> offered{to_proposal(cbc, 1, esp::Spi{0xc1000001}),
                                to_proposal(gcm, 2, esp::Spi{0xc1000001})};
  auto c = choose_child(SaPayload{offered}, {gcm, cbc});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->suite, gcm);
  EXPECT_EQ(c->proposal.number, 2);
  Proposal reply = c->proposal;
  reply.spi = {0xc2, 0, 0, 2};
  EXPECT_EQ(accept_child(SaPayload{{reply}}, {cbc, gcm}, offered)->suite, gcm);
  reply.number = 1;  // names the CBC proposal but carries GCM transforms
  EXPECT_FALSE(accept_child(SaPayload{{reply}}, {cbc, gcm}, offered).has_value());
}

TEST(Proposal, MultiTransformProposalIsNarrowedToOneOfEachType) {
  // strongSwan style: one proposal listing several algorithms per type.
  Proposal p = to_proposal(kCbc, 1);
  p.transforms.insert(p.transforms.begin(), Transform{TransformType::encr, 12, 256});
  p.transforms.push_back(Transform{TransformType::dh, 31});
  auto c = choose_ike(SaPayload{{p}}, {kCbc});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->proposal.transforms.size(), 4u);
  // ... but a reply with two transforms of a type is not acceptable to the initiator.
  EXPECT_FALSE(accept_ike(SaPayload{{p}}, {kCbc}, {p}).has_value());
}

TEST(Proposal, NoMatchMeansNoProposalChosen) {
  IkeSuite other = kCbc;
  other.dh = DhGroup::modp_1536;
  EXPECT_FALSE(choose_ike(SaPayload{{to_proposal(other, 1)}}, {kGcm, kCbc}).has_value());
}

TEST(Proposal, ChildProposalCarriesSpiAndPfsGroup) {
  ChildSuite pfs{{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha1_96},
                 DhGroup::modp_2048};
  ChildSuite nopfs{{esp::EncrAlgorithm::aes_gcm_16, 128, esp::IntegAlgorithm::none}, DhGroup::none};
  Proposal p = to_proposal(pfs, 1, esp::Spi{0xc1234567});
  auto c = choose_child(SaPayload{{p}}, {nopfs, pfs});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->suite, pfs);
  EXPECT_EQ(c->peer_spi.value, 0xc1234567u);
  EXPECT_FALSE(choose_child(SaPayload{{p}}, {nopfs}).has_value());
  EXPECT_EQ(to_string(pfs), "aes256-sha1-modp2048");
  EXPECT_EQ(to_string(kGcm), "aes256gcm16-prfsha256-ecp256");
}

}  // namespace
}  // namespace vpnlab::ike
