#include "bgp/core/rib.hpp"

#include <algorithm>

namespace vpnlab::bgp {

namespace {
void mix(std::size_t& h, std::uint64_t v) {
  h ^= std::hash<std::uint64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}
void mix_bytes(std::size_t& h, const Bytes& b) {
  mix(h, b.size());
  for (auto c : b) mix(h, c);
}
}  // namespace

// Every field operator== compares, so equal sets hash equally.
std::size_t AttrsHash::operator()(const std::shared_ptr<const PathAttributes>& p) const {
  if (!p) return 0;
  const PathAttributes& a = *p;
  std::size_t h = 0;
  mix(h, a.origin ? 1 + static_cast<unsigned>(*a.origin) : 0);
  if (a.as_path) {
    mix(h, 1 + a.as_path->segments.size());
    for (const auto& s : a.as_path->segments) {
      mix(h, static_cast<unsigned>(s.type));
      for (auto asn : s.asns) mix(h, asn.value);
    }
  }
  mix(h, a.next_hop ? 0x100000000ULL | a.next_hop->value : 0);
  mix(h, a.med ? 0x100000000ULL | *a.med : 0);
  mix(h, a.local_pref ? 0x100000000ULL | *a.local_pref : 0);
  mix(h, a.atomic_aggregate);
  if (a.aggregator)
    mix(h, (std::uint64_t{a.aggregator->asn.value} << 32) | a.aggregator->address.value);
  for (auto c : a.communities) mix(h, c);
  if (a.mp_reach) mix_bytes(h, a.mp_reach->next_hop);
  for (const auto& u : a.unknown) {
    mix(h, (u.flags << 8) | u.code);
    mix_bytes(h, u.value);
  }
  return h;
}

PathRef* RouteEntry::find(PeerIndex peer) {
  for (auto& p : *this)
    if (p.peer == peer) return &p;
  return nullptr;
}

void RouteEntry::add(PathRef p) {
  if (count_ == 0) {
    one_ = p;
  } else {
    auto grown = std::make_unique<PathRef[]>(count_ + 1u);
    std::copy(begin(), end(), grown.get());
    grown[count_] = p;
    many_ = std::move(grown);
  }
  ++count_;
}

bool RouteEntry::remove(PeerIndex peer, PathRef* out) {
  PathRef* p = find(peer);
  if (!p) return false;
  *out = *p;
  std::copy(p + 1, end(), p);  // keeps the order (selected paths first)
  --count_;
  if (count_ == 1) {
    one_ = many_[0];
    many_.reset();
  } else if (count_ == 0) {
    one_ = PathRef{};
  }
  return true;
}

std::size_t& Rib::counter(PeerIndex peer) {
  if (peer >= counts_.size()) counts_.resize(peer + 1u, 0);
  return counts_[peer];
}

Rib::SetResult Rib::set(const Ipv4Prefix& prefix, PeerIndex peer, InternId attrs) {
  RouteEntry& e = entries_.get_or_insert(prefix);
  if (PathRef* cur = e.find(peer)) {
    bool same = cur->attrs == attrs && !(cur->flags & kPathStale);
    attrs_.unref(cur->attrs);  // an equal set is the same id: one reference stays
    cur->attrs = attrs;
    cur->flags &= static_cast<std::uint8_t>(~kPathStale);
    return same ? SetResult::unchanged : SetResult::replaced;
  }
  e.add(PathRef{attrs, peer, 0, 0});
  if (peer != kLocalPeer) ++counter(peer);
  return SetResult::added;
}

bool Rib::erase(const Ipv4Prefix& prefix, PeerIndex peer) {
  RouteEntry* e = entries_.find(prefix);
  PathRef gone;
  if (!e || !e->remove(peer, &gone)) return false;
  attrs_.unref(gone.attrs);
  if (peer != kLocalPeer) --counter(peer);
  return true;
}

void Rib::drop_if_unused(const Ipv4Prefix& prefix) {
  const RouteEntry* e = entries_.find(prefix);
  if (e && e->size() == 0 && e->fib == 0) entries_.erase(prefix);
}

const PathRef* Rib::find(const Ipv4Prefix& prefix, PeerIndex peer) const {
  const RouteEntry* e = entries_.find(prefix);
  return e ? e->find(peer) : nullptr;
}

std::vector<Ipv4Prefix> Rib::mark_stale(PeerIndex peer) {
  std::vector<Ipv4Prefix> out;
  entries_.for_each([&](const Ipv4Prefix& prefix, RouteEntry& e) {
    if (PathRef* p = e.find(peer)) {
      p->flags |= kPathStale;
      out.push_back(prefix);
    }
  });
  return out;
}

std::vector<Ipv4Prefix> Rib::sweep_stale(PeerIndex peer) {
  return remove_where(peer, kPathStale);
}

std::vector<Ipv4Prefix> Rib::clear(PeerIndex peer) {
  return remove_where(peer, 0);
}

std::vector<Ipv4Prefix> Rib::remove_where(PeerIndex peer, std::uint8_t need_flags) {
  std::vector<Ipv4Prefix> out;
  entries_.for_each([&](const Ipv4Prefix& prefix, RouteEntry& e) {
    if (const PathRef* p = e.find(peer); p && (p->flags & need_flags) == need_flags)
      out.push_back(prefix);
  });
  for (const auto& prefix : out) erase(prefix, peer);  // erasing moves slots: after the walk
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vpnlab::bgp
