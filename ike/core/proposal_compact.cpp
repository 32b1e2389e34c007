// Compact SA payloads: the initiator's ordered suites folded into as few proposals as
// possible, each listing several transforms per type (RFC 7296 3.3: "the responder MUST
// choose a single suite, which may be any subset of the SA proposal"). A proposal may only
// fold suites whose every combination is itself one of our suites, so that whatever the
// responder picks from it is acceptable (accept_ike/accept_child check the reply).
//
// Without this, the AWS tunnel defaults (4 ciphers x 4 MACs x 12 DH groups, cloud-facts
// §1.1) make ~200 proposals: an IKE_SA_INIT near 8 KB, which IP-fragments (IKE_SA_INIT can
// not use RFC 7383 fragmentation) and overflows one-byte proposal numbers.
#include <map>
#include <set>
#include <tuple>

#include "ike/core/proposal.hpp"

namespace vpnlab::ike {

namespace {

std::vector<Transform> transforms_of(const IkeSuite& s) {
  return to_proposal(s, 1).transforms;
}
std::vector<Transform> transforms_of(const ChildSuite& s) {
  return to_proposal(s, 1, esp::Spi{0}).transforms;
}

using Key = std::tuple<int, std::uint16_t, std::uint16_t>;  // type, id, key length
Key key(const Transform& t) {
  return {static_cast<int>(t.type), t.id, t.key_length.value_or(0)};
}
using Suite = std::set<Key>;

struct Group {
  std::map<int, std::vector<Transform>> by_type;  // in first-seen order per type
};

bool has(const std::vector<Transform>& v, const Transform& t) {
  for (const auto& x : v) {
    if (key(x) == key(t)) return true;
  }
  return false;
}

// Every combination of one transform per type in the group is one of our suites.
bool closed(const Group& g, const std::set<Suite>& ours) {
  std::vector<const std::vector<Transform>*> lists;
  for (const auto& [type, list] : g.by_type) lists.push_back(&list);
  std::vector<std::size_t> at(lists.size(), 0);
  for (;;) {
    Suite s;
    for (std::size_t i = 0; i < lists.size(); ++i) s.insert(key((*lists[i])[at[i]]));
    if (!ours.count(s)) return false;
    std::size_t i = 0;
    while (i < lists.size() && ++at[i] == lists[i]->size()) at[i++] = 0;
    if (i == lists.size()) return true;
  }
}

template <typename S>
std::vector<Proposal> compact(const std::vector<S>& suites, ProtocolId protocol, const Bytes& spi) {
  std::set<Suite> ours;
  for (const auto& s : suites) {
    Suite k;
    for (const auto& t : transforms_of(s)) k.insert(key(t));
    ours.insert(k);
  }
  std::vector<Group> groups;
  for (const auto& s : suites) {
    auto ts = transforms_of(s);
    bool placed = false;
    if (!groups.empty()) {
      Group candidate = groups.back();
      bool same_types = candidate.by_type.size() == ts.size();
      for (const auto& t : ts) {
        same_types = same_types && candidate.by_type.count(static_cast<int>(t.type));
        auto& list = candidate.by_type[static_cast<int>(t.type)];
        if (!has(list, t)) list.push_back(t);
      }
      if (same_types && closed(candidate, ours)) {
        groups.back() = std::move(candidate);
        placed = true;
      }
    }
    if (!placed) {
      Group g;
      for (const auto& t : ts) g.by_type[static_cast<int>(t.type)].push_back(t);
      groups.push_back(std::move(g));
    }
  }
  std::vector<Proposal> out;
  std::uint8_t number = 1;
  for (const auto& g : groups) {
    Proposal p;
    p.number = number++;
    p.protocol = protocol;
    p.spi = spi;
    for (const auto& [type, list] : g.by_type)
      p.transforms.insert(p.transforms.end(), list.begin(), list.end());
    out.push_back(std::move(p));
    if (number == 0) break;  // RFC 7296 3.3.1: proposal numbers are one octet
  }
  return out;
}

}  // namespace

std::vector<Proposal> compact_proposals(const std::vector<IkeSuite>& suites, const Bytes& spi) {
  return compact(suites, ProtocolId::ike, spi);
}

std::vector<Proposal> compact_proposals(const std::vector<ChildSuite>& suites, esp::Spi spi) {
  Bytes b;
  ByteWriter(b).u32(spi.value);
  return compact(suites, ProtocolId::esp, b);
}

}  // namespace vpnlab::ike
