#include "topology/proposals.hpp"

#include <map>

namespace vpnlab::topology {
namespace {

std::string join_dash(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    out += (out.empty() ? "" : "-") + p;
  }
  return out;
}

std::string aws_cipher(const std::string& name) {
  static const std::map<std::string, std::string> m = {{"AES128", "aes128"},
                                                       {"AES256", "aes256"},
                                                       {"AES128-GCM-16", "aes128gcm16"},
                                                       {"AES256-GCM-16", "aes256gcm16"}};
  auto it = m.find(name);
  return it == m.end() ? "" : it->second;
}

std::string aws_integ(const std::string& name) {
  static const std::map<std::string, std::string> m = {
      {"SHA1", "sha1"}, {"SHA2-256", "sha256"}, {"SHA2-384", "sha384"}, {"SHA2-512", "sha512"}};
  auto it = m.find(name);
  return it == m.end() ? "" : it->second;
}

bool is_gcm(const std::string& name) {
  return name.find("GCM") != std::string::npos;
}

std::vector<std::string> groups(const std::vector<std::int64_t>& list) {
  std::vector<std::string> out;
  for (auto g : list) out.push_back(dh_group_name(g));
  return out;
}

// One CBC+HMAC proposal and one AEAD proposal, each with every allowed algorithm.
std::vector<std::string> aws_proposals(const std::vector<std::string>& enc,
                                       const std::vector<std::string>& integ,
                                       const std::vector<std::string>& dh, bool prf_for_aead) {
  std::vector<std::string> cbc, gcm, macs, prfs;
  for (const auto& e : enc) (is_gcm(e) ? gcm : cbc).push_back(aws_cipher(e));
  for (const auto& i : integ) {
    macs.push_back(aws_integ(i));
    prfs.push_back("prf" + aws_integ(i));
  }
  std::vector<std::string> out;
  if (!cbc.empty()) {
    std::vector<std::string> p = cbc;
    p.insert(p.end(), macs.begin(), macs.end());
    p.insert(p.end(), dh.begin(), dh.end());
    out.push_back(join_dash(p));
  }
  if (!gcm.empty()) {
    std::vector<std::string> p = gcm;
    if (prf_for_aead) p.insert(p.end(), prfs.begin(), prfs.end());
    p.insert(p.end(), dh.begin(), dh.end());
    out.push_back(join_dash(p));
  }
  return out;
}

std::string azure_cipher(const std::string& name) {
  static const std::map<std::string, std::string> m = {
      {"GCMAES256", "aes256gcm16"}, {"GCMAES192", "aes192gcm16"}, {"GCMAES128", "aes128gcm16"},
      {"AES256", "aes256"},         {"AES192", "aes192"},         {"AES128", "aes128"}};
  auto it = m.find(name);
  return it == m.end() ? "" : it->second;
}

std::string azure_group(const std::string& name) {
  static const std::map<std::string, std::string> m = {
      {"DHGroup24", "modp2048s256"}, {"PFS24", "modp2048s256"},
      {"ECP384", "ecp384"},          {"ECP256", "ecp256"},
      {"DHGroup14", "modp2048"},     {"DHGroup2048", "modp2048"},
      {"PFS2048", "modp2048"},       {"DHGroup2", "modp1024"},
      {"PFS2", "modp1024"},          {"None", ""}};
  auto it = m.find(name);
  return it == m.end() ? "" : it->second;
}

}  // namespace

std::string dh_group_name(std::int64_t group) {
  static const std::map<std::int64_t, std::string> m = {
      {2, "modp1024"},      {5, "modp1536"},   {14, "modp2048"},     {15, "modp3072"},
      {16, "modp4096"},     {17, "modp6144"},  {18, "modp8192"},     {19, "ecp256"},
      {20, "ecp384"},       {21, "ecp521"},    {22, "modp1024s160"}, {23, "modp2048s224"},
      {24, "modp2048s256"}, {31, "curve25519"}};
  auto it = m.find(group);
  return it == m.end() ? "" : it->second;
}

std::vector<std::string> aws_ike_proposals(const AwsTunnelOptions& t) {
  return aws_proposals(t.phase1_encryption, t.phase1_integrity, groups(t.phase1_dh_groups), true);
}

std::vector<std::string> aws_esp_proposals(const AwsTunnelOptions& t) {
  // PFS groups are listed; a CHILD_SA created in IKE_AUTH ignores them (RFC 7296 1.2).
  return aws_proposals(t.phase2_encryption, t.phase2_integrity, groups(t.phase2_dh_groups), false);
}

std::vector<std::string> azure_default_ike_proposals() {
  // cloud-facts: "Default IKE (phase 1), route-based": DH group 2 with AES256/SHA1,
  // AES256/SHA256, AES128/SHA1, AES128/SHA256 (3DES offers omitted) [Z-DEV]
  return {"aes256-sha1-modp1024", "aes256-sha256-modp1024", "aes128-sha1-modp1024",
          "aes128-sha256-modp1024"};
}

std::vector<std::string> azure_default_esp_proposals_as_initiator() {
  // cloud-facts: "QM offers, Azure as initiator" (order kept, 3DES omitted), no PFS [Z-DEV]
  return {"aes256gcm16", "aes256-sha1", "aes256-sha256", "aes128-sha1"};
}

std::vector<std::string> azure_default_esp_proposals_as_responder() {
  // cloud-facts: "QM offers, Azure as responder": the initiator offers, then PFS variants
  // with groups 2, 14 and 24 (group 1, DES and 3DES omitted) [Z-DEV]
  std::vector<std::string> out = azure_default_esp_proposals_as_initiator();
  for (const char* p : {"aes256-sha1-modp1024", "aes256-sha1-modp2048", "aes128-sha1-modp1024",
                        "aes128-sha1-modp2048", "aes256-sha256-modp1024", "aes256-sha256-modp2048",
                        "aes256-sha1-modp2048s256", "aes256-sha256-modp2048s256", "aes128-sha256",
                        "aes128-sha256-modp1024", "aes128-sha256-modp2048"}) {
    out.push_back(p);
  }
  return out;
}

std::vector<std::string> azure_policy_ike_proposals(const AzureIpsecPolicy& p) {
  std::string integ = p.ike_integrity == "SHA384"   ? "sha384"
                      : p.ike_integrity == "SHA256" ? "sha256"
                      : p.ike_integrity == "SHA1"   ? "sha1"
                                                    : "";
  std::string cipher = azure_cipher(p.ike_encryption);
  bool aead = cipher.find("gcm") != std::string::npos;
  return {join_dash({cipher, aead ? (integ.empty() ? "prfsha256" : "prf" + integ) : integ,
                     azure_group(p.dh_group)})};
}

std::vector<std::string> azure_policy_esp_proposals(const AzureIpsecPolicy& p) {
  std::string cipher = azure_cipher(p.ipsec_encryption);
  bool aead = cipher.find("gcm") != std::string::npos;
  std::string integ = p.ipsec_integrity == "SHA256" ? "sha256"
                      : p.ipsec_integrity == "SHA1" ? "sha1"
                                                    : "";
  return {join_dash({cipher, aead ? "" : integ, azure_group(p.pfs_group)})};
}

}  // namespace vpnlab::topology
