// BgpCore, route side: UPDATE → import → Adj-RIB-In → decision → Loc-RIB → FIB and
// Adj-RIB-Out → UPDATE; graceful restart helper (RFC 4724 §4.2); max-prefix limits.
#include <algorithm>

#include "base/log.hpp"
#include "base/log_limited.hpp"
#include "bgp/core/bgp_core.hpp"

namespace vpnlab::bgp {

namespace {
constexpr std::size_t kUpdateFixed = kHeaderSize + 4;  // header + the two length fields

// RFC 4486 §4: Cease/1 data is AFI (2), SAFI (1), prefix upper bound (4).
Notification max_prefix_notification(std::size_t limit) {
  Bytes data;
  ByteWriter w(data);
  w.u16(static_cast<std::uint16_t>(Afi::ipv4));
  w.u8(static_cast<std::uint8_t>(Safi::unicast));
  w.u32(static_cast<std::uint32_t>(limit));
  return Notification{static_cast<std::uint8_t>(ErrorCode::cease),
                      static_cast<std::uint8_t>(CeaseSubcode::maximum_number_of_prefixes_reached),
                      std::move(data)};
}

// MP_REACH_NLRI carries the next hop for its NLRI (RFC 4760 §3); keep one NEXT_HOP view.
std::shared_ptr<const PathAttributes> route_attributes(const PathAttributes& in) {
  auto a = std::make_shared<PathAttributes>(in);
  if (a->mp_reach && a->mp_reach->next_hop.size() == 4)
    a->next_hop = Ipv4Address{load_be32(a->mp_reach->next_hop.data())};
  a->mp_reach.reset();
  a->mp_unreach.reset();
  return a;
}
}  // namespace

void BgpCore::on_session_up(PeerState& ps, const Negotiated& n) {
  ps.negotiated = n;
  ps.established_at = clock_.now();
  ps.source =
      PathSource{ps.cfg.session.peer_address, n.peer_id, n.peer_asn, ps.cfg.session.ebgp(), false};
  const auto& gr = n.peer_capabilities.graceful_restart;
  ps.peer_restart_time = gr ? std::optional<Seconds>(gr->restart_time) : std::nullopt;
  // RFC 4724 §4.2: stale routes survive the re-established session only if the peer lists
  // IPv4 unicast with the Forwarding State bit set; otherwise they go now.
  bool forwarding_kept = false;
  if (gr)
    for (const auto& f : gr->families)
      forwarding_kept = forwarding_kept || (f.afi_safi == kIpv4Unicast && f.forwarding_preserved);
  if (!forwarding_kept) recompute_all(rib_.sweep_stale(ps.index));
  clear_rib_out(ps);
  rib_.entries().for_each([&](const Ipv4Prefix& prefix, const RouteEntry& e) {
    if (e.in_loc_rib) export_prefix(ps, prefix);
  });
  flush(ps);
  // RFC 4724 §2: End-of-RIB after the initial routing update.
  send(ps, MessageType::update, encode_end_of_rib());
}

void BgpCore::on_session_down(PeerState& ps, const action::SessionDown& d) {
  ps.established_at.reset();
  clear_rib_out(ps);
  ps.negotiated.reset();
  if (d.graceful && ps.peer_restart_time) {
    // RFC 4724 §4.2: keep the routes, marked stale, for the peer's Restart Time.
    auto stale = rib_.mark_stale(ps.index);
    counters_.get("bgp.gr.stale_marked").add(stale.size());
    io_.push_back(PeerIo{ps.cfg.session.peer_address,
                         action::StartTimer{0, Timer::graceful_restart, *ps.peer_restart_time}});
    return;
  }
  recompute_all(rib_.clear(ps.index));
}

void BgpCore::on_restart_timer(PeerState& ps) {
  auto gone = rib_.sweep_stale(ps.index);
  counters_.get("bgp.gr.stale_flushed").add(gone.size());
  recompute_all(gone);
  flush_all();
}

void BgpCore::on_update(PeerState& ps, const DecodedUpdate& d) {
  for (const auto& e : d.errors) {
    std::string counter = std::string("bgp.update.") + to_string(e.action);
    counters_.get(counter).add();
    VPNLAB_LOG_LIMITED(warn, "bgp", counter, "peer %s: %s (RFC 7606)",
                       ps.cfg.session.peer_address.to_string().c_str(), e.what().c_str());
  }
  const UpdateMessage& u = d.update;
  if (u.is_end_of_rib()) {
    // RFC 4724 §4.2: End-of-RIB from the restarted peer flushes what is still stale.
    auto gone = rib_.sweep_stale(ps.index);
    counters_.get("bgp.gr.stale_flushed").add(gone.size());
    io_.push_back(
        PeerIo{ps.cfg.session.peer_address, action::StopTimer{0, Timer::graceful_restart}});
    return recompute_all(gone);
  }
  for (const auto& p : u.withdrawn_all())
    if (rib_.erase(p, ps.index)) recompute(p);
  auto announced = u.announced();
  if (announced.empty()) return;
  // One interned set for the whole UPDATE; `attrs` holds a reference until the end.
  InternId attrs = rib_.attrs().intern(route_attributes(u.attrs));
  ImportContext ctx{config_.asn, ps.cfg.session.local_address, ps.source.peer_asn, ps.source.ebgp};
  Path candidate{Ipv4Prefix{}, rib_.attrs().get(attrs), ps.source, false};
  std::vector<Ipv4Prefix> accepted;
  std::size_t fresh = 0;
  for (const auto& prefix : announced) {
    candidate.prefix = prefix;
    ImportVerdict v = check_import(candidate, ctx, ps.cfg.import);
    if (v != ImportVerdict::accept) {
      counters_.get(std::string("bgp.import.") + to_string(v)).add();
      if (rib_.erase(prefix, ps.index)) recompute(prefix);  // implicit withdraw
      continue;
    }
    if (!rib_.find(prefix, ps.index)) ++fresh;
    accepted.push_back(prefix);
  }
  const auto& limit = ps.cfg.import.max_prefixes;
  if (limit && rib_.count(ps.index) + fresh > *limit) {
    // cloud-facts: "Behaviour when >100" [X-AVX] / "Max prefixes from a peer" [Z-FAQ-BGP].
    rib_.attrs().unref(attrs);
    ps.main.fail(max_prefix_notification(*limit),
                 "more than " + std::to_string(*limit) + " prefixes");
    return;
  }
  for (const auto& prefix : accepted) {
    rib_.attrs().ref(attrs);  // one reference per stored path
    if (rib_.set(prefix, ps.index, attrs) != Rib::SetResult::unchanged) recompute(prefix);
  }
  rib_.attrs().unref(attrs);
}

void BgpCore::recompute_all(const std::vector<Ipv4Prefix>& prefixes) {
  for (const auto& p : prefixes) recompute(p);
}

const PathSource& BgpCore::source_of(PeerIndex peer) const {
  return peer == kLocalPeer ? local_source_ : by_index_[peer]->source;
}

Path BgpCore::path_of(const Ipv4Prefix& prefix, const PathRef& r) const {
  return Path{prefix, rib_.attrs().get(r.attrs), source_of(r.peer), (r.flags & kPathStale) != 0};
}

// Runs the decision process (RFC 4271 §9.1.2) over the prefix's paths and then pushes the
// result to the kernel and to every Established peer (Adj-RIB-Out compares, so a result that
// did not change sends nothing).
void BgpCore::recompute(const Ipv4Prefix& prefix) {
  RouteEntry* e = rib_.find(prefix);
  if (!e) return;
  select(prefix, *e);
  auto paths = rib_.paths(*e);
  bool selected = !paths.empty() && (paths.front().flags & kPathSelected);
  if (selected != e->in_loc_rib) {
    e->in_loc_rib = selected;
    selected ? ++loc_rib_size_ : --loc_rib_size_;
  }
  update_fib(prefix, *e);
  for (auto& [addr, ps] : peers_)
    if (ps.main.state() == BgpState::established) export_prefix(ps, prefix);
  rib_.drop_if_unused(prefix);
}

// Marks the selected paths (best, then ECMP members) and moves them to the front.
void BgpCore::select(const Ipv4Prefix& prefix, RouteEntry& e) {
  auto refs = rib_.paths(e);
  if (refs.size() <= 1) {  // the common case: no decision to make
    if (refs.size() == 1) refs.front().flags |= kPathSelected;
    e.reason = static_cast<std::uint8_t>(BestPathReason::only_path);
    return;
  }
  std::vector<Path> paths;
  paths.reserve(refs.size());
  for (const auto& r : refs) paths.push_back(path_of(prefix, r));
  std::vector<const Path*> candidates;
  for (const auto& p : paths) candidates.push_back(&p);
  Selection sel = select_best(std::move(candidates), config_.multipath);
  std::vector<PathRef> order;
  for (const Path* p : sel.paths) {
    order.push_back(refs[static_cast<std::size_t>(p - paths.data())]);
    order.back().flags |= kPathSelected;
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (std::find(sel.paths.begin(), sel.paths.end(), &paths[i]) != sel.paths.end()) continue;
    order.push_back(refs[i]);
    order.back().flags &= static_cast<std::uint8_t>(~kPathSelected);
  }
  std::copy(order.begin(), order.end(), refs.begin());
  e.reason = static_cast<std::uint8_t>(sel.reason);
}

void BgpCore::update_fib(const Ipv4Prefix& prefix, RouteEntry& e) {
  std::vector<FibNextHop> hops;
  auto refs = rib_.paths(e);
  if (e.in_loc_rib && refs.front().peer != kLocalPeer) {
    for (const auto& r : refs) {
      if (!(r.flags & kPathSelected)) break;
      Ipv4Address via = rib_.attrs().get(r.attrs)->next_hop.value_or(Ipv4Address{});
      hops.push_back(FibNextHop{via, by_index_[r.peer]->cfg.device});
    }
    std::sort(hops.begin(), hops.end());
  }
  if (hops.empty()) {
    if (e.fib == 0) return;
    nhgs_.unref(e.fib - 1);
    e.fib = 0;
    fib_.push_back(FibChange{prefix, {}});
    return;
  }
  InternId group = nhgs_.intern(hops);
  if (e.fib == group + 1) return nhgs_.unref(group);  // already installed like this
  if (e.fib != 0) nhgs_.unref(e.fib - 1);
  e.fib = group + 1;
  fib_.push_back(FibChange{prefix, std::move(hops)});
}

void BgpCore::export_prefix(PeerState& ps, const Ipv4Prefix& prefix) {
  std::optional<PathAttributes> attrs;
  if (const RouteEntry* e = rib_.find(prefix); e && e->in_loc_rib) {
    ExportContext ctx{config_.asn, ps.cfg.session.local_address, ps.cfg.session.peer_address,
                      ps.cfg.session.ebgp()};
    attrs = export_attributes(path_of(prefix, rib_.paths(*e).front()), ctx, ps.cfg.export_policy);
  }
  InternId* cur = ps.rib_out.find(prefix);
  if (attrs) {
    InternId id = out_attrs_.intern(std::make_shared<const PathAttributes>(std::move(*attrs)));
    if (cur && *cur == id) return out_attrs_.unref(id);  // sent like this already
    if (cur) out_attrs_.unref(*cur);
    ps.rib_out.get_or_insert(prefix) = id;
    ps.pending.insert(prefix);
  } else if (cur) {
    out_attrs_.unref(*cur);
    ps.rib_out.erase(prefix);
    ps.pending.insert(prefix);
  }
}

void BgpCore::clear_rib_out(PeerState& ps) {
  ps.rib_out.for_each([&](const Ipv4Prefix&, InternId id) { out_attrs_.unref(id); });
  ps.rib_out = {};
  ps.pending.clear();
}

void BgpCore::flush_all() {
  for (auto& [addr, ps] : peers_) flush(ps);
}

void BgpCore::flush(PeerState& ps) {
  if (ps.pending.empty()) return;
  if (ps.main.state() != BgpState::established || !ps.negotiated) return ps.pending.clear();
  const CodecOptions& opts = ps.negotiated->codec;
  // Withdrawals first, packed to the 4096-octet limit (RFC 4271 §4).
  UpdateMessage w;
  std::size_t wsize = kUpdateFixed;
  // Announcements grouped by attribute set (interned: one id per distinct set).
  std::map<InternId, std::vector<Ipv4Prefix>> groups;
  for (const auto& prefix : ps.pending) {
    if (const InternId* id = ps.rib_out.find(prefix)) {
      groups[*id].push_back(prefix);
      continue;
    }
    if (wsize + 5 > kMaxMessageSize) {
      send(ps, MessageType::update, encode_update(w, opts));
      w = UpdateMessage{};
      wsize = kUpdateFixed;
    }
    w.withdrawn.push_back(prefix);
    wsize += 5;
  }
  ps.pending.clear();
  if (!w.withdrawn.empty()) send(ps, MessageType::update, encode_update(w, opts));
  for (auto& [id, prefixes] : groups) {
    UpdateMessage u;
    u.attrs = *out_attrs_.get(id);
    Bytes encoded;  // only its size: how many NLRI fit next to it
    ByteWriter kw(encoded);
    encode_attributes(kw, u.attrs, opts);
    for (const auto& prefix : prefixes) {
      if (kUpdateFixed + encoded.size() + (u.nlri.size() + 1) * 5 > kMaxMessageSize) {
        send(ps, MessageType::update, encode_update(u, opts));
        u.nlri.clear();
      }
      u.nlri.push_back(prefix);
    }
    send(ps, MessageType::update, encode_update(u, opts));
  }
}

void BgpCore::send(PeerState& ps, MessageType type, Bytes bytes) {
  ++ps.messages_sent;
  io_.push_back(PeerIo{ps.cfg.session.peer_address,
                       action::Send{ps.main.connection(), type, std::move(bytes)}});
}

std::vector<Path> BgpCore::loc_rib(const Ipv4Prefix& prefix) const {
  std::vector<Path> out;
  if (const RouteEntry* e = rib_.find(prefix))
    for (const auto& r : rib_.paths(*e))
      if (r.flags & kPathSelected) out.push_back(path_of(prefix, r));
  return out;
}

std::size_t NextHopsHash::operator()(const std::vector<FibNextHop>& hops) const {
  std::size_t h = hops.size();
  for (const auto& n : hops)
    h = h * 1000003u ^ std::hash<std::uint32_t>{}(n.gateway.value) ^
        (std::hash<std::string>{}(n.device) << 1);
  return h;
}

}  // namespace vpnlab::bgp
