#include "topology/proposal_match.hpp"

#include <algorithm>

namespace vpnlab::topology {
namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool disjoint(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::none_of(a.begin(), a.end(), [&](const std::string& x) { return b.count(x) > 0; });
}

// No DH transform (no PFS) is its own value: a proposal without one matches only another
// without one (RFC 7296 3.3.2: a DH type listing only NONE, or none at all).
std::set<std::string> dh_or_none(const std::set<std::string>& dh) {
  return dh.empty() ? std::set<std::string>{"none"} : dh;
}

}  // namespace

ProposalSets split_proposal(const std::string& text) {
  ProposalSets out;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t dash = text.find('-', at);
    std::string w = text.substr(at, dash == std::string::npos ? std::string::npos : dash - at);
    at = dash == std::string::npos ? text.size() + 1 : dash + 1;
    if (w.empty()) continue;
    if (starts_with(w, "aes") || starts_with(w, "chacha20")) {
      out.encr.insert(w);
    } else if (starts_with(w, "prf")) {
      out.prf.insert(w);
    } else if (starts_with(w, "sha") || starts_with(w, "md5")) {
      out.integ.insert(w);
    } else if (starts_with(w, "modp") || starts_with(w, "ecp") || starts_with(w, "curve")) {
      out.dh.insert(w);
    } else {
      out.unknown.insert(w);
    }
  }
  return out;
}

std::vector<std::string> proposal_mismatch(const ProposalSets& a, const ProposalSets& b,
                                           bool with_dh) {
  std::vector<std::string> out;
  if (a.encr.empty() || b.encr.empty() || disjoint(a.encr, b.encr)) out.push_back("encryption");
  // CBC proposals carry integrity algorithms (their PRF follows from them), AEAD ones a PRF
  // (IKE) or nothing (ESP); a type only one end names is judged by the cipher already.
  if (!a.integ.empty() && !b.integ.empty() && disjoint(a.integ, b.integ))
    out.push_back("integrity");
  if (!a.prf.empty() && !b.prf.empty() && disjoint(a.prf, b.prf)) out.push_back("PRF");
  if (with_dh && disjoint(dh_or_none(a.dh), dh_or_none(b.dh))) out.push_back("DH group");
  return out;
}

std::optional<ClosestPair> closest_proposals(const std::vector<std::string>& a,
                                             const std::vector<std::string>& b, bool with_dh) {
  std::optional<ClosestPair> best;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ProposalSets pa = split_proposal(a[i]);
    for (std::size_t j = 0; j < b.size(); ++j) {
      auto m = proposal_mismatch(pa, split_proposal(b[j]), with_dh);
      if (!best || m.size() < best->mismatch.size()) best = ClosestPair{i, j, std::move(m)};
      if (best->mismatch.empty()) return best;
    }
  }
  return best;
}

}  // namespace vpnlab::topology
