#include "topology/interop/matrix.hpp"

#include <yaml-cpp/yaml.h>

#include "topology/lab_loader.hpp"

namespace vpnlab::topology::interop {
namespace {

std::vector<std::string> nodes_of(Side s) {
  if (s == Side::azure) return {"azure-gw0", "azure-gw1"};
  return {"aws-vgw"};
}

// A custom policy on both ends, as a user would set it: the Azure connections'
// ipsec_policy (all-or-nothing, cloud-facts §2 "Custom policy" [Z-FAQ-IPSEC]) and the AWS
// tunnel options restricted to the same suite (cloud-facts §1 [A-TUN]).
void set_policy(YAML::Node& lab, const std::string& azure_ike_enc, const std::string& azure_integ,
                const std::string& azure_dh, const std::string& azure_esp_enc,
                const std::string& azure_esp_integ, const std::string& azure_pfs,
                const std::string& aws_enc, const std::string& aws_integ, int aws_group) {
  for (YAML::Node c : lab["azure"]["connections"]) {
    YAML::Node p;
    p["ike_encryption"] = azure_ike_enc;
    p["ike_integrity"] = azure_integ;
    p["dh_group"] = azure_dh;
    p["ipsec_encryption"] = azure_esp_enc;
    p["ipsec_integrity"] = azure_esp_integ;
    p["pfs_group"] = azure_pfs;
    p["sa_lifetime_seconds"] = 3600;
    p["sa_data_size_kilobytes"] = 102400000;
    c["ipsec_policy"] = p;
  }
  for (YAML::Node v : lab["aws"]["vpn_connections"]) {
    for (YAML::Node t : v["tunnels"]) {
      t["phase1_encryption"] = std::vector<std::string>{aws_enc};
      t["phase2_encryption"] = std::vector<std::string>{aws_enc};
      t["phase1_integrity"] = std::vector<std::string>{aws_integ};
      t["phase2_integrity"] = std::vector<std::string>{aws_integ};
      t["phase1_dh_groups"] = std::vector<int>{aws_group};
      t["phase2_dh_groups"] = std::vector<int>{aws_group};
      t["phase2_lifetime_seconds"] = 3600;
    }
  }
}

void gcm_only(YAML::Node& lab) {
  set_policy(lab, "GCMAES256", "GCMAES256", "DHGroup14", "GCMAES256", "GCMAES256", "PFS2048",
             "AES256-GCM-16", "SHA2-256", 14);
}

// DH group 20 (ECP-384) for IKE and PFS: the strongest group both clouds accept.
void ecp384(YAML::Node& lab) {
  set_policy(lab, "AES256", "SHA256", "ECP384", "AES256", "SHA256", "ECP384", "AES256", "SHA2-256",
             20);
}

// Group 31 (Curve25519): strongSwan, FRR-hosts and most routers offer it; neither cloud
// accepts it (cloud-facts §1 phase 1/2 DH groups [A-TUN], §2 custom policy DH [Z-FAQ-IPSEC]).
void curve25519(YAML::Node& lab) {
  for (YAML::Node v : lab["aws"]["vpn_connections"]) {
    for (YAML::Node t : v["tunnels"]) t["phase1_dh_groups"] = std::vector<int>{31};
  }
}

// 101 address prefixes in the VNet: one more than AWS accepts per BGP session (cloud-facts
// §1 "Routes per BGP session" 100, Cease/1 above it [X-AVX]).
void over_aws_prefix_limit(YAML::Node& lab) {
  std::vector<std::string> space = {"10.1.0.0/16"};
  for (int i = 0; i < 100; ++i) space.push_back("172.16." + std::to_string(i) + ".0/24");
  lab["azure"]["virtual_network"]["address_space"] = space;
}

// 101 VNet prefixes become 101 local selectors of each CHILD_SA; kernel-libipsec installs the
// same 0.0.0.0/0 route once per local selector, the second install fails and charon answers
// TS_UNACCEPTABLE (topology/nodes/strongswan_config.cpp). One covering 0.0.0.0/0 selector
// would take the BGP sessions' /30s too.
std::string charon_carries_one_prefix(Side side, const std::string& peer) {
  if (side != Side::azure || peer.rfind("strongswan", 0) != 0) return "";
  return "a charon (kernel-libipsec) node cannot carry more than one VNet prefix";
}

}  // namespace

std::string side_name(Side s) {
  return s == Side::azure ? "azure" : "aws";
}

std::string step_name(Step s) {
  switch (s) {
    case Step::converge:
      return "converge";
    case Step::traffic:
      return "traffic";
    case Step::rekey_child_real:
      return "CHILD_SA rekey by the peer";
    case Step::rekey_child_lab:
      return "CHILD_SA rekey by vpnlab";
    case Step::rekey_ike_real:
      return "IKE_SA rekey by the peer";
    case Step::rekey_ike_lab:
      return "IKE_SA rekey by vpnlab";
    case Step::tunnel_loss:
      return "tunnel loss";
    case Step::peer_dies:
      return "peer dies";
    case Step::prefix_limit:
      return "AWS prefix limit";
    case Step::refused_by_validate:
      return "refused by validate";
  }
  return "?";
}

std::vector<Case> matrix(Side side) {
  (void)side;  // the same cases run for either side; the runner knows which end is real
  using S = Step;
  std::vector<Case> all = {
      {"defaults",
       "each cloud's default proposals, BGP routes both ways, traffic",
       true,
       {S::converge, S::traffic},
       nullptr},
      {"rekey-child",
       "CHILD_SA rekeys from both ends under a sequenced UDP stream",
       true,
       {S::converge, S::rekey_child_real, S::rekey_child_lab},
       nullptr},
      {"tunnel-loss",
       "one tunnel down: routes withdrawn, traffic on the others",
       true,
       {S::converge, S::tunnel_loss},
       nullptr},
      {"gcm-only",
       "custom policy: AES-256-GCM only (IKE and ESP), DH 14 / PFS 2048",
       false,
       {S::converge, S::traffic},
       gcm_only},
      {"dh20",
       "custom policy: DH group 20 (ECP-384) for IKE and PFS",
       false,
       {S::converge, S::traffic},
       ecp384},
      {"dh31",
       "DH group 31 (Curve25519): neither cloud accepts it",
       true,
       {S::refused_by_validate},
       curve25519},
      {"rekey-ike",
       "IKE_SA rekeys from both ends under a sequenced UDP stream",
       false,
       {S::converge, S::rekey_ike_real, S::rekey_ike_lab},
       nullptr},
      {"peer-dies",
       "the real IKE daemon is killed: DPD, withdrawal, the cloud's recovery",
       false,
       {S::converge, S::peer_dies},
       nullptr},
      {"prefix-limit",
       "the VNet announces 101 prefixes: AWS's limit of 100 per session",
       false,
       {S::prefix_limit},
       over_aws_prefix_limit,
       charon_carries_one_prefix},
  };
  return all;
}

std::string case_lab_yaml(const Case& c, Side side, const std::string& peer,
                          const std::string& lab_name, double time_factor) {
  YAML::Node lab = YAML::Load(default_lab_yaml());
  lab["lab"]["name"] = lab_name;
  lab["lab"]["time_factor"] = time_factor;
  if (peer != "vpnlab") {  // vpnlab against itself: the matrix's own self-test
    for (const std::string& n : nodes_of(side)) lab["lab"]["nodes"][n]["implementation"] = peer;
  }
  if (c.shape) c.shape(lab);
  YAML::Emitter out;
  out << lab;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vpnlab::topology::interop
