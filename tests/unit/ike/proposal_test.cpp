// Proposal negotiation (RFC 7296 2.7): first acceptable peer proposal, one transform per type
// in the reply, NO_PROPOSAL_CHOSEN (nullopt) when nothing matches.

#include <gtest/gtest.h>

#include "ike/core/proposal.hpp"

namespace vpnlab::ike {
namespace {

const IkeSuite kGcm{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
                    PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
const IkeSuite kCbc{esp::EncrAlgorithm::aes_cbc, 128, esp::IntegAlgorithm::hmac_sha2_256_128,
                    PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};

TEST(Proposal, ResponderPicksFirstPeerProposalWeSupport) {
  SaPayload offered{{to_proposal(kCbc, 1), to_proposal(kGcm, 2)}};
  auto c = choose_ike(offered, {kGcm, kCbc});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->suite, kCbc);  // peer's order wins across proposals
  EXPECT_EQ(c->proposal.number, 1);
  EXPECT_EQ(accept_ike(SaPayload{{c->proposal}}, {kGcm, kCbc}), kCbc);
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
  EXPECT_FALSE(accept_ike(SaPayload{{p}}, {kCbc}).has_value());
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
