// compact_proposals (proposal_compact.cpp) as a property over the cloud profiles: every
// suite stays selectable, every single-transform choice a responder can make from any
// compact proposal is one of our suites (RFC 7296 3.3), and proposal numbers fit one octet.

#include <gtest/gtest.h>

#include "ike/core/cloud_profiles.hpp"
#include "ike/core/proposal.hpp"

namespace vpnlab::ike {
namespace {

std::vector<Transform> of_type(const Proposal& p, TransformType t) {
  std::vector<Transform> out;
  for (const Transform& x : p.transforms) {
    if (x.type == t) out.push_back(x);
  }
  if (out.empty()) out.push_back(Transform{t, 0, std::nullopt});  // type absent: "none"
  return out;
}

/// Every one-of-each-type choice from p, as a reply proposal.
std::vector<Proposal> choices(const Proposal& p) {
  std::vector<Proposal> out;
  for (const Transform& e : of_type(p, TransformType::encr)) {
    for (const Transform& i : of_type(p, TransformType::integ)) {
      for (const Transform& f : of_type(p, TransformType::prf)) {
        for (const Transform& d : of_type(p, TransformType::dh)) {
          Proposal r = p;
          r.transforms = {e};
          if (i.id) r.transforms.push_back(i);
          if (f.id) r.transforms.push_back(f);
          if (d.id) r.transforms.push_back(d);
          out.push_back(r);
        }
      }
    }
  }
  return out;
}

TEST(CompactProposals, AwsIkeDefaultsStaySoundAndComplete) {
  std::vector<IkeSuite> suites = aws_tunnel_defaults().ike_proposals;
  std::vector<Proposal> compact = compact_proposals(suites);
  ASSERT_FALSE(compact.empty());
  EXPECT_LE(compact.size(), 255u);
  EXPECT_EQ(compact.size(), 10u);  // one per cipher suite, the 12 DH groups folded
  for (const IkeSuite& s : suites) {
    EXPECT_TRUE(choose_ike(SaPayload{compact}, {s}).has_value()) << to_string(s);
  }
  for (const Proposal& p : compact) {
    for (const Proposal& reply : choices(p)) {
      if (reply.transforms.size() < 3) continue;  // not a complete IKE suite
      EXPECT_TRUE(accept_ike(SaPayload{{reply}}, suites, compact).has_value());
    }
  }
}

TEST(CompactProposals, AzureChildDefaultsKeepTheSpiAndEverySuite) {
  std::vector<ChildSuite> suites = azure_defaults().child_proposals;
  std::vector<Proposal> compact = compact_proposals(suites, esp::Spi{0xc0ffee00});
  ASSERT_FALSE(compact.empty());
  for (const Proposal& p : compact) EXPECT_EQ(to_hex(p.spi), "c0ffee00");
  for (const ChildSuite& s : suites) {
    auto c = choose_child(SaPayload{compact}, {s});
    EXPECT_TRUE(c.has_value()) << to_string(s);
  }
}

}  // namespace
}  // namespace vpnlab::ike
