#pragma once
// IKE and ESP proposal lists, in strongSwan's proposal syntax, for each cloud's defaults and
// for AWS tunnel options. One string is one proposal; several algorithms of one transform
// type in a string are alternatives inside that proposal (RFC 7296 3.3).

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace vpnlab::topology {

/// "modp2048" for group 14, ... ("" for an unknown group).
std::string dh_group_name(std::int64_t group);

/// AWS: one proposal per cipher family built from the tunnel's allowed lists, in list order
/// (cloud-facts §1.1 [A-TUN]). GCM proposals carry PRFs instead of integrity algorithms.
std::vector<std::string> aws_ike_proposals(const AwsTunnelOptions& t);
/// AWS phase 2: the first CHILD_SA (IKE_AUTH) has no PFS group; rekeys use phase2_dh_groups.
std::vector<std::string> aws_esp_proposals(const AwsTunnelOptions& t);

/// Azure defaults (cloud-facts §2.5 [Z-DEV]). 3DES and DES offers and DH group 1 are left
/// out: vpnlab's ESP does not implement them (obsolete ciphers).
std::vector<std::string> azure_default_ike_proposals();
std::vector<std::string> azure_default_esp_proposals_as_responder();
std::vector<std::string> azure_default_esp_proposals_as_initiator();
/// A custom Azure IPsec/IKE policy replaces both directions [Z-FAQ-IPSEC].
std::vector<std::string> azure_policy_ike_proposals(const AzureIpsecPolicy& p);
std::vector<std::string> azure_policy_esp_proposals(const AzureIpsecPolicy& p);

}  // namespace vpnlab::topology
