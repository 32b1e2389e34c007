// Negotiation failures the lab file already shows: each Azure connection's IKE and ESP
// proposals (its custom ipsec_policy, else Azure's defaults) against the AWS tunnel its local
// network gateway names (cloud-facts §1.1 [A-TUN], §2.5 [Z-DEV, Z-FAQ-IPSEC]). Warnings, as
// the clouds accept both configurations; the tunnel then fails at run time.
#include <map>

#include "topology/proposal_match.hpp"
#include "topology/proposals.hpp"
#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {
namespace {

// strongSwan words back into each console's vocabulary, for the fix the warning names.
std::string aws_word(const std::string& w) {
  static const std::map<std::string, std::string> m = {{"aes128", "AES128"},
                                                       {"aes256", "AES256"},
                                                       {"aes128gcm16", "AES128-GCM-16"},
                                                       {"aes256gcm16", "AES256-GCM-16"},
                                                       {"sha1", "SHA1"},
                                                       {"sha256", "SHA2-256"},
                                                       {"sha384", "SHA2-384"},
                                                       {"sha512", "SHA2-512"},
                                                       {"prfsha1", "SHA1"},
                                                       {"prfsha256", "SHA2-256"},
                                                       {"prfsha384", "SHA2-384"},
                                                       {"prfsha512", "SHA2-512"},
                                                       {"modp1024", "2"},
                                                       {"modp1536", "5"},
                                                       {"modp2048", "14"},
                                                       {"ecp256", "19"},
                                                       {"ecp384", "20"},
                                                       {"modp2048s256", "24"}};
  auto it = m.find(w);
  return it == m.end() ? "" : it->second;
}

std::string azure_word(const std::string& w, bool pfs) {
  static const std::map<std::string, std::string> m = {
      {"aes128", "AES128"},         {"aes256", "AES256"},         {"aes192", "AES192"},
      {"aes128gcm16", "GCMAES128"}, {"aes256gcm16", "GCMAES256"}, {"sha1", "SHA1"},
      {"sha256", "SHA256"},         {"sha384", "SHA384"},         {"prfsha1", "SHA1"},
      {"prfsha256", "SHA256"},      {"prfsha384", "SHA384"},      {"ecp256", "ECP256"},
      {"ecp384", "ECP384"}};
  if (w == "modp1024") return pfs ? "PFS2" : "DHGroup2";
  if (w == "modp2048") return pfs ? "PFS2048" : "DHGroup14";
  if (w == "modp2048s256") return pfs ? "PFS24" : "DHGroup24";
  if (w == "none") return "None";
  auto it = m.find(w);
  return it == m.end() ? "" : it->second;
}

const std::set<std::string>& sets_of(const ProposalSets& p, const std::string& type) {
  if (type == "encryption") return p.encr;
  if (type == "integrity") return p.integ;
  if (type == "PRF") return p.prf;
  return p.dh;
}

struct Side {
  std::string path;                          // where the fields live
  std::map<std::string, std::string> field;  // type -> field name
};

// The fields one phase's algorithms live in (an AEAD's PRF comes from the integrity field).
Side side(const std::string& path, const char* encryption, const char* integrity, const char* dh) {
  return {
      path,
      {{"encryption", encryption}, {"integrity", integrity}, {"PRF", integrity}, {"DH group", dh}}};
}

// "add AES256-GCM-16 to ...phase1_encryption" and "set ipsec_policy.ike_encryption to AES128":
// the first value of each end that the other end's console can express.
std::string nearest_fix(const ProposalSets& aws, const ProposalSets& azure,
                        const std::vector<std::string>& types, const Side& aws_side,
                        const Side& azure_side, bool pfs) {
  std::vector<std::string> to_aws, to_azure;
  std::size_t azure_types = 0;  // types the Azure fix covers (it may add an integrity)
  for (const auto& type : types) {
    auto want = sets_of(azure, type);
    if (type == "DH group" && want.empty()) want = {"none"};
    for (const auto& w : want) {
      if (std::string a = aws_word(w); !a.empty()) {
        to_aws.push_back("add " + a + " to " + aws_side.path + "." + aws_side.field.at(type));
        break;
      }
    }
    for (const auto& w : sets_of(aws, type)) {
      if (std::string z = azure_word(w, pfs); !z.empty()) {
        to_azure.push_back(azure_side.field.at(type) + ": " + z);
        ++azure_types;
        // From a GCM policy to a CBC cipher: the integrity field stops naming GCM [Z-FAQ-IPSEC].
        // (The strongest integrity both consoles name.)
        if (type == "encryption" && w.find("gcm") == std::string::npos && azure.integ.empty()) {
          for (auto i = aws.integ.rbegin(); i != aws.integ.rend(); ++i) {
            if (std::string zi = azure_word(*i, pfs); !zi.empty()) {
              to_azure.push_back(azure_side.field.at("integrity") + ": " + zi);
              break;
            }
          }
        }
        break;
      }
    }
  }
  std::string out;
  if (to_aws.size() == types.size()) out = join(to_aws, " and ");
  if (azure_types == types.size()) {
    out += std::string(out.empty() ? "" : ", or ") + "set " + azure_side.path + " {" +
           join(to_azure) + "}";
  }
  return out.empty() ? "no value both consoles offer; choose another suite on both ends" : out;
}

void check_phase(const Lab& lab, Diagnostics& d, const std::string& what,
                 const std::vector<std::string>& aws, const std::vector<std::string>& azure,
                 bool with_dh, const Side& aws_side, const Side& azure_side,
                 const std::string& consequence, bool pfs) {
  auto pair = closest_proposals(aws, azure, with_dh);
  if (!pair || pair->mismatch.empty()) return;
  std::string fix = nearest_fix(split_proposal(aws[pair->a]), split_proposal(azure[pair->b]),
                                pair->mismatch, aws_side, azure_side, pfs);
  d.warning(lab, azure_side.path,
            what + ": no suite in common (no common " + join(pair->mismatch, ", no common ") +
                "); AWS " + aws_side.path + " offers [" + join(aws) + "], Azure offers [" +
                join(azure) + "]; " + consequence + ". Nearest fix: " + fix);
}

// strongSwan ESP strings without their DH groups: the CHILD_SA created inside IKE_AUTH
// negotiates no PFS (RFC 7296 1.2), so only ciphers and integrity count there.
std::vector<std::string> without_dh(const std::vector<std::string>& list) {
  std::vector<std::string> out;
  for (const auto& p : list) {
    std::string kept;
    ProposalSets s = split_proposal(p);
    std::size_t at = 0;
    while (at <= p.size()) {
      std::size_t dash = p.find('-', at);
      std::string w = p.substr(at, dash == std::string::npos ? std::string::npos : dash - at);
      at = dash == std::string::npos ? p.size() + 1 : dash + 1;
      if (!w.empty() && !s.dh.count(w)) kept += (kept.empty() ? "" : "-") + w;
    }
    out.push_back(kept);
  }
  return out;
}

void check_connection(const Lab& lab, const Resolved& r, std::size_t ci, Diagnostics& d) {
  const auto& c = lab.azure.connections[ci];
  auto lng = r.connection_lng[ci];
  if (!lng || !r.lng_tunnel[*lng]) return;
  TunnelRef t = *r.lng_tunnel[*lng];
  const auto& opt = lab.aws.vpn_connections[t.connection].tunnels[t.tunnel];
  std::string tpath = idx(idx("aws.vpn_connections", t.connection) + ".tunnels", t.tunnel);
  std::string cpath = idx("azure.connections", ci);
  bool policy = c.ipsec_policy.has_value();
  std::string zpath = policy ? cpath + ".ipsec_policy" : cpath;
  Side aws1 = side(tpath, "phase1_encryption", "phase1_integrity", "phase1_dh_groups");
  Side aws2 = side(tpath, "phase2_encryption", "phase2_integrity", "phase2_dh_groups");
  Side az1 = side(zpath, "ike_encryption", "ike_integrity", "dh_group");
  Side az2 = side(zpath, "ipsec_encryption", "ipsec_integrity", "pfs_group");
  std::string label = tunnel_label(lab, t) + " / " + c.name;

  // cloud-facts "Custom policy rules": once set, Azure uses only the policy, both roles.
  auto az_ike =
      policy ? azure_policy_ike_proposals(*c.ipsec_policy) : azure_default_ike_proposals();
  check_phase(lab, d, "IKE proposals of " + label, aws_ike_proposals(opt), az_ike, true, aws1, az1,
              "IKE_SA_INIT fails with NO_PROPOSAL_CHOSEN on both consoles", false);

  // Who creates the first CHILD_SA: AWS with startup_action start (Azure answers with its
  // responder offers), else Azure with its initiator offers [Z-DEV, Z-MODE].
  bool aws_initiates = opt.startup_action == "start" && c.connection_mode != "InitiatorOnly";
  auto az_esp = policy          ? azure_policy_esp_proposals(*c.ipsec_policy)
                : aws_initiates ? azure_default_esp_proposals_as_responder()
                                : azure_default_esp_proposals_as_initiator();
  auto aws_esp = aws_esp_proposals(opt);
  auto first = closest_proposals(without_dh(aws_esp), without_dh(az_esp), false);
  if (first && !first->mismatch.empty()) {
    check_phase(lab, d, "ESP proposals of " + label, without_dh(aws_esp), without_dh(az_esp), false,
                aws2, az2,
                "the IKE_SA comes up but its CHILD_SA fails with NO_PROPOSAL_CHOSEN (no traffic)",
                true);
    return;
  }
  // AWS rekeys first (its phase 2 lifetime is at most 3600 s, Azure's default 27,000 s) and
  // always with PFS from phase2_dh_groups [A-TUN]; Azure answers with its responder offers.
  auto az_rekey = policy ? az_esp : azure_default_esp_proposals_as_responder();
  check_phase(lab, d, "ESP PFS groups of " + label, aws_esp, az_rekey, true, aws2, az2,
              "the first CHILD_SA comes up, its rekey (AWS's, after about " +
                  std::to_string(opt.phase2_lifetime_seconds - opt.rekey_margin_time_seconds) +
                  " s) fails with NO_PROPOSAL_CHOSEN and the tunnel drops (PFS on one end only, "
                  "or no group in common)",
              true);
}

}  // namespace

void validate_proposals(const Lab& lab, const Resolved& r, Diagnostics& d) {
  if (lab.lab.keying == "manual") return;  // no negotiation: fixed SAs from the PSKs
  for (std::size_t ci = 0; ci < lab.azure.connections.size() && ci < r.connection_lng.size(); ++ci)
    check_connection(lab, r, ci, d);
}

}  // namespace vpnlab::topology
