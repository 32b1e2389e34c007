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

std::span<PathRef> Rib::paths(RouteEntry& e) {
  if (e.count_ <= 1) return {&e.one_, e.count_};
  return lists_[e.one_.attrs];
}

std::span<const PathRef> Rib::paths(const RouteEntry& e) const {
  if (e.count_ <= 1) return {&e.one_, e.count_};
  return lists_[e.one_.attrs];
}

PathRef* Rib::find_path(RouteEntry& e, PeerIndex peer) {
  for (auto& p : paths(e))
    if (p.peer == peer) return &p;
  return nullptr;
}

void Rib::add_path(RouteEntry& e, PathRef p) {
  if (e.count_ == 1) {  // a second path: both move to a list
    std::uint32_t list;
    if (free_lists_.empty()) {
      list = static_cast<std::uint32_t>(lists_.size());
      lists_.emplace_back();
    } else {
      list = free_lists_.back();
      free_lists_.pop_back();
    }
    lists_[list] = {e.one_, p};
    e.one_ = PathRef{list, 0, 0, 0};
  } else if (e.count_ == 0) {
    e.one_ = p;
  } else {
    lists_[e.one_.attrs].push_back(p);
  }
  ++e.count_;
}

bool Rib::remove_path(RouteEntry& e, PeerIndex peer, PathRef* out) {
  PathRef* p = find_path(e, peer);
  if (!p) return false;
  *out = *p;
  if (e.count_ == 1) {
    e.one_ = PathRef{};
  } else {
    std::uint32_t list = e.one_.attrs;
    auto& v = lists_[list];
    v.erase(v.begin() + (p - v.data()));  // keeps the order (selected paths first)
    if (v.size() == 1) {                  // back to inline
      e.one_ = v[0];
      v = {};
      free_lists_.push_back(list);
    }
  }
  --e.count_;
  return true;
}

std::size_t& Rib::counter(PeerIndex peer) {
  if (peer >= counts_.size()) counts_.resize(peer + 1u, 0);
  return counts_[peer];
}

Rib::SetResult Rib::set(const Ipv4Prefix& prefix, PeerIndex peer, InternId attrs) {
  RouteEntry& e = entries_.get_or_insert(prefix);
  if (PathRef* cur = find_path(e, peer)) {
    bool same = cur->attrs == attrs && !(cur->flags & kPathStale);
    attrs_.unref(cur->attrs);  // an equal set is the same id: one reference stays
    cur->attrs = attrs;
    cur->flags &= static_cast<std::uint8_t>(~kPathStale);
    return same ? SetResult::unchanged : SetResult::replaced;
  }
  add_path(e, PathRef{attrs, peer, 0, 0});
  if (peer != kLocalPeer) ++counter(peer);
  return SetResult::added;
}

bool Rib::erase(const Ipv4Prefix& prefix, PeerIndex peer) {
  RouteEntry* e = entries_.find(prefix);
  PathRef gone;
  if (!e || !remove_path(*e, peer, &gone)) return false;
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
  if (!e) return nullptr;
  for (const auto& p : paths(*e))
    if (p.peer == peer) return &p;
  return nullptr;
}

std::vector<Ipv4Prefix> Rib::mark_stale(PeerIndex peer) {
  std::vector<Ipv4Prefix> out;
  entries_.for_each([&](const Ipv4Prefix& prefix, RouteEntry& e) {
    if (PathRef* p = find_path(e, peer)) {
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
    if (const PathRef* p = find_path(e, peer); p && (p->flags & need_flags) == need_flags)
      out.push_back(prefix);
  });
  for (const auto& prefix : out) erase(prefix, peer);  // erasing moves slots: after the walk
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vpnlab::bgp
