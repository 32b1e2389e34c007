#pragma once
// Whether two ends' proposal lists (strongSwan syntax, topology/proposals.hpp) share a suite,
// judged from the lab file before anything runs: what `validate` uses to predict
// NO_PROPOSAL_CHOSEN (RFC 7296 2.7: the responder must pick one transform of each type from
// one proposal the initiator sent, all of them among its own).

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vpnlab::topology {

/// One proposal string split into its transform types: "aes128-aes256-sha1-modp2048" ->
/// encr {aes128, aes256}, integ {sha1}, dh {modp2048}. An empty dh set means no DH (for ESP:
/// no PFS). Words no type knows go to `unknown`.
struct ProposalSets {
  std::set<std::string> encr, integ, prf, dh, unknown;
};
ProposalSets split_proposal(const std::string& text);

/// The transform types two proposals have no algorithm in common for ("encryption",
/// "integrity", "PRF", "DH group"); empty when they match. `with_dh`: compare DH groups (IKE,
/// and ESP rekeys with PFS, where no DH on one end and a group on the other do not match).
std::vector<std::string> proposal_mismatch(const ProposalSets& a, const ProposalSets& b,
                                           bool with_dh);

/// The closest pair of two lists: the fewest mismatched types (the nearest fix). nullopt when
/// a list is empty. `mismatch` empty: the lists share a suite.
struct ClosestPair {
  std::size_t a = 0, b = 0;
  std::vector<std::string> mismatch;
};
std::optional<ClosestPair> closest_proposals(const std::vector<std::string>& a,
                                             const std::vector<std::string>& b, bool with_dh);

}  // namespace vpnlab::topology
