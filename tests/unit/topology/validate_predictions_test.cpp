// validate's predictions of run-time failures (issue 11, "Faithful recovery, explained"): the
// clouds' per-session route limits and IKE/ESP proposals with no suite in common. One bad
// input per rule, each a warning that names both sides and the fix.
#include <gtest/gtest.h>

#include "lab_test_util.hpp"
#include "topology/proposal_match.hpp"

namespace vpnlab::topology {
namespace {

const char* kTunnel1 = "          pre_shared_key: vpnlab.Tunnel1.Instance0_q7Xm2Kp9\n";
const char* kConnection0 =
    "      custom_bgp_addresses: {enabled: true, primary: 169.254.21.2, "
    "secondary: 169.254.21.6}\n      connection_mode: ResponderOnly\n";

std::string policy(const std::string& fields) {
  return std::string(kConnection0) + "      ipsec_policy: {" + fields +
         ", sa_lifetime_seconds: 27000, sa_data_size_kilobytes: 102400000}\n";
}

// The lab with AWS tunnel ToAzureInstance0.tunnel1 given `aws` options and Azure connection
// AWSTunnel1ToInstance0 (the one terminating it) given `azure` (a policy, or nothing).
std::string lab_with(const std::string& aws, const std::string& azure) {
  std::string text = default_lab_yaml();
  auto put = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  };
  if (!aws.empty()) put(kTunnel1, std::string(kTunnel1) + aws);
  if (!azure.empty()) put(kConnection0, azure);
  return text;
}

std::string vnet_with(int prefixes) {
  std::string list = "10.1.0.0/16";
  for (int i = 0; i < prefixes - 1; ++i) list += ", 10.3." + std::to_string(i) + ".0/24";
  return mutated("address_space: [10.1.0.0/16]", "address_space: [" + list + "]");
}

TEST(ValidateRouteLimits, VnetOverAwsLimitWarnsWithBothNumbers) {
  auto d = check_text(vnet_with(101));
  const auto* w = find_diag(d, Severity::warning, "azure.virtual_network.address_space",
                            "announce 101 prefixes");
  ASSERT_NE(w, nullptr) << d.format("lab.yaml");
  EXPECT_NE(w->message.find("at most 100"), std::string::npos) << w->message;
  EXPECT_NE(w->message.find("Maximum Number of Prefixes Reached"), std::string::npos);
  EXPECT_EQ(d.error_count(), 0u) << d.format("lab.yaml");
}

TEST(ValidateRouteLimits, HundredPrefixesAreStillAccepted) {
  auto d = check_text(vnet_with(100));
  EXPECT_EQ(find_diag(d, Severity::warning, "address_space", "prefixes"), nullptr)
      << d.format("lab.yaml");
}

TEST(ValidateRouteLimits, LocalNetworkGatewayPrefixesCountToo) {
  // Azure re-advertises the LNGs' address prefixes [Z-FAQ-BGP]: 90 + 11 > 100.
  std::string text = vnet_with(90);
  std::string lng;
  for (int i = 0; i < 11; ++i)
    lng += std::string(lng.empty() ? "" : ", ") + "192.168." + std::to_string(i) + ".0/24";
  auto at = text.find("address_space: []");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "address_space: [" + lng + "]");
  auto d = check_text(text);
  EXPECT_NE(find_diag(d, Severity::warning, "address_space", "11 from local network gateways"),
            nullptr)
      << d.format("lab.yaml");
}

TEST(ValidateProposals, IssueExampleIkeHasNoSuiteInCommon) {
  // AWS restricted to AES128 / DH 14 against an Azure policy of GCMAES256 / ECP384.
  auto d = check_text(lab_with(
      "          phase1_encryption: [AES128]\n          phase1_dh_groups: [14]\n",
      policy("ike_encryption: GCMAES256, ike_integrity: SHA384, dh_group: ECP384, "
             "ipsec_encryption: GCMAES256, ipsec_integrity: GCMAES256, pfs_group: ECP384")));
  const auto* w =
      find_diag(d, Severity::warning, "azure.connections[0].ipsec_policy", "IKE proposals");
  ASSERT_NE(w, nullptr) << d.format("lab.yaml");
  for (const char* part :
       {"no common encryption", "no common DH group", "aes128-sha1-sha256-sha384-sha512-modp2048",
        "aes256gcm16-prfsha384-ecp384", "NO_PROPOSAL_CHOSEN",
        "add AES256-GCM-16 to aws.vpn_connections[0].tunnels[0].phase1_encryption",
        "add 20 to aws.vpn_connections[0].tunnels[0].phase1_dh_groups",
        "ike_encryption: AES128, ike_integrity: SHA384, dh_group: DHGroup14"}) {
    EXPECT_NE(w->message.find(part), std::string::npos) << part << "\n" << w->message;
  }
  EXPECT_EQ(d.error_count(), 0u);
}

TEST(ValidateProposals, AzureDefaultsAgainstARestrictedAwsTunnel) {
  // Azure's default IKE offers use DH group 2 only [Z-DEV].
  auto d = check_text(lab_with("          phase1_dh_groups: [19, 20]\n", ""));
  const auto* w = find_diag(d, Severity::warning, "azure.connections[0]", "IKE proposals");
  ASSERT_NE(w, nullptr) << d.format("lab.yaml");
  EXPECT_NE(w->message.find("add 2 to aws.vpn_connections[0].tunnels[0].phase1_dh_groups"),
            std::string::npos)
      << w->message;
}

TEST(ValidateProposals, EspWithoutCommonCipherWarns) {
  auto d = check_text(lab_with(
      "          phase2_encryption: [AES128]\n",
      policy("ike_encryption: AES256, ike_integrity: SHA256, dh_group: DHGroup14, "
             "ipsec_encryption: GCMAES256, ipsec_integrity: GCMAES256, pfs_group: PFS2048")));
  const auto* w = find_diag(d, Severity::warning, "connections[0].ipsec_policy", "ESP proposals");
  ASSERT_NE(w, nullptr) << d.format("lab.yaml");
  EXPECT_NE(w->message.find("CHILD_SA fails"), std::string::npos) << w->message;
  EXPECT_EQ(find_diag(d, Severity::warning, "connections[0]", "IKE proposals"), nullptr);
}

TEST(ValidateProposals, PfsOnOneEndOnlyWarnsAboutTheRekey) {
  auto d = check_text(
      lab_with("", policy("ike_encryption: AES256, ike_integrity: SHA256, dh_group: DHGroup14, "
                          "ipsec_encryption: AES256, ipsec_integrity: SHA256, pfs_group: None")));
  const auto* w = find_diag(d, Severity::warning, "connections[0].ipsec_policy", "PFS groups");
  ASSERT_NE(w, nullptr) << d.format("lab.yaml");
  EXPECT_NE(w->message.find("after about 3060 s"), std::string::npos) << w->message;
  EXPECT_NE(w->message.find("PFS on one end only"), std::string::npos) << w->message;
}

TEST(ProposalMatch, SplitsTransformTypes) {
  auto s = split_proposal("aes128gcm16-aes256gcm16-prfsha256-modp2048-ecp384");
  EXPECT_EQ(s.encr.size(), 2u);
  EXPECT_EQ(s.prf.size(), 1u);
  EXPECT_EQ(s.dh.size(), 2u);
  EXPECT_TRUE(s.integ.empty());
  EXPECT_TRUE(proposal_mismatch(s, split_proposal("aes256gcm16-prfsha256-ecp384"), true).empty());
  auto m = proposal_mismatch(split_proposal("aes128-sha1"), split_proposal("aes128-sha1-modp2048"),
                             true);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "DH group");
}

}  // namespace
}  // namespace vpnlab::topology
