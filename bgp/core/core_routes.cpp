// BgpCore, route side: UPDATE → import → Adj-RIB-In → decision → Loc-RIB → FIB and
// Adj-RIB-Out → UPDATE; graceful restart helper (RFC 4724 §4.2); max-prefix limits.
#include <algorithm>

#include "base/log.hpp"
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
  if (!forwarding_kept) recompute_all(ps.rib_in.sweep_stale());
  ps.rib_out.clear();
  ps.pending.clear();
  for (const auto& [prefix, entry] : loc_rib_) export_prefix(ps, prefix);
  flush(ps);
  // RFC 4724 §2: End-of-RIB after the initial routing update.
  send(ps, MessageType::update, encode_end_of_rib());
}

void BgpCore::on_session_down(PeerState& ps, const action::SessionDown& d) {
  ps.established_at.reset();
  ps.rib_out.clear();
  ps.pending.clear();
  ps.negotiated.reset();
  if (d.graceful && ps.peer_restart_time) {
    // RFC 4724 §4.2: keep the routes, marked stale, for the peer's Restart Time.
    auto stale = ps.rib_in.mark_stale();
    counters_.get("bgp.gr.stale_marked").add(stale.size());
    io_.push_back(PeerIo{ps.cfg.session.peer_address,
                         action::StartTimer{0, Timer::graceful_restart, *ps.peer_restart_time}});
    return;
  }
  recompute_all(ps.rib_in.clear());
}

void BgpCore::on_restart_timer(PeerState& ps) {
  auto gone = ps.rib_in.sweep_stale();
  counters_.get("bgp.gr.stale_flushed").add(gone.size());
  recompute_all(gone);
  flush_all();
}

void BgpCore::on_update(PeerState& ps, const DecodedUpdate& d) {
  for (const auto& e : d.errors) {
    counters_.get(std::string("bgp.update.") + to_string(e.action)).add();
    VPNLAB_LOG(info, "bgp", "peer %s: %s", ps.cfg.session.peer_address.to_string().c_str(),
               e.what().c_str());
  }
  const UpdateMessage& u = d.update;
  if (u.is_end_of_rib()) {
    // RFC 4724 §4.2: End-of-RIB from the restarted peer flushes what is still stale.
    auto gone = ps.rib_in.sweep_stale();
    counters_.get("bgp.gr.stale_flushed").add(gone.size());
    io_.push_back(
        PeerIo{ps.cfg.session.peer_address, action::StopTimer{0, Timer::graceful_restart}});
    return recompute_all(gone);
  }
  for (const auto& p : u.withdrawn_all())
    if (ps.rib_in.erase(p)) recompute(p);
  auto announced = u.announced();
  if (announced.empty()) return;
  auto attrs = route_attributes(u.attrs);
  ImportContext ctx{config_.asn, ps.cfg.session.local_address, ps.source.peer_asn, ps.source.ebgp};
  std::vector<Path> accepted;
  std::size_t fresh = 0;
  for (const auto& prefix : announced) {
    Path p{prefix, attrs, ps.source, false};
    ImportVerdict v = check_import(p, ctx, ps.cfg.import);
    if (v != ImportVerdict::accept) {
      counters_.get(std::string("bgp.import.") + to_string(v)).add();
      if (ps.rib_in.erase(prefix)) recompute(prefix);  // implicit withdraw
      continue;
    }
    if (!ps.rib_in.find(prefix)) ++fresh;
    accepted.push_back(std::move(p));
  }
  const auto& limit = ps.cfg.import.max_prefixes;
  if (limit && ps.rib_in.size() + fresh > *limit) {
    // cloud-facts: "Behaviour when >100" [X-AVX] / "Max prefixes from a peer" [Z-FAQ-BGP].
    ps.main.fail(max_prefix_notification(*limit),
                 "more than " + std::to_string(*limit) + " prefixes");
    return;
  }
  for (auto& p : accepted) {
    Ipv4Prefix prefix = p.prefix;
    ps.rib_in.set(std::move(p));
    recompute(prefix);
  }
}

void BgpCore::recompute_all(const std::vector<Ipv4Prefix>& prefixes) {
  for (const auto& p : prefixes) recompute(p);
}

void BgpCore::recompute(const Ipv4Prefix& prefix) {
  std::vector<const Path*> candidates;
  if (auto it = local_.find(prefix); it != local_.end()) candidates.push_back(&it->second);
  for (const auto& [addr, ps] : peers_)
    if (const Path* p = ps.rib_in.find(prefix)) candidates.push_back(p);
  Selection sel = select_best(std::move(candidates), config_.multipath);
  LocEntry entry;
  for (const Path* p : sel.paths) entry.best.push_back(*p);
  entry.reason = sel.reason;
  auto it = loc_rib_.find(prefix);
  if (it != loc_rib_.end() && it->second.best == entry.best) return;
  if (entry.best.empty()) {
    if (it == loc_rib_.end()) return;
    loc_rib_.erase(it);
    update_fib(prefix, nullptr);
  } else {
    auto& slot = loc_rib_[prefix];
    slot = std::move(entry);
    update_fib(prefix, &slot);
  }
  for (auto& [addr, ps] : peers_)
    if (ps.main.state() == BgpState::established) export_prefix(ps, prefix);
}

void BgpCore::update_fib(const Ipv4Prefix& prefix, const LocEntry* entry) {
  std::vector<FibNextHop> hops;
  if (entry && !entry->best.front().source.local) {
    for (const auto& p : entry->best) {
      const auto& ps = peers_.at(p.source.peer_address);
      hops.push_back(FibNextHop{p.next_hop(), ps.cfg.device});
    }
    std::sort(hops.begin(), hops.end());
  }
  auto it = installed_.find(prefix);
  if (hops.empty()) {
    if (it == installed_.end()) return;
    installed_.erase(it);
    fib_.push_back(FibChange{prefix, {}});
    return;
  }
  if (it != installed_.end() && it->second == hops) return;
  installed_[prefix] = hops;
  fib_.push_back(FibChange{prefix, std::move(hops)});
}

void BgpCore::export_prefix(PeerState& ps, const Ipv4Prefix& prefix) {
  std::optional<PathAttributes> attrs;
  if (auto it = loc_rib_.find(prefix); it != loc_rib_.end()) {
    ExportContext ctx{config_.asn, ps.cfg.session.local_address, ps.cfg.session.peer_address,
                      ps.cfg.session.ebgp()};
    attrs = export_attributes(it->second.best.front(), ctx, ps.cfg.export_policy);
  }
  auto cur = ps.rib_out.find(prefix);
  if (attrs) {
    if (cur != ps.rib_out.end() && cur->second == *attrs) return;
    ps.rib_out[prefix] = *attrs;
    ps.pending[prefix] = std::move(attrs);
  } else if (cur != ps.rib_out.end()) {
    ps.rib_out.erase(cur);
    ps.pending[prefix] = std::nullopt;
  }
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
  // Announcements grouped by identical attributes (encoded once per group).
  std::map<Bytes, std::pair<PathAttributes, std::vector<Ipv4Prefix>>> groups;
  for (auto& [prefix, attrs] : ps.pending) {
    if (!attrs) {
      if (wsize + 5 > kMaxMessageSize) {
        send(ps, MessageType::update, encode_update(w, opts));
        w = UpdateMessage{};
        wsize = kUpdateFixed;
      }
      w.withdrawn.push_back(prefix);
      wsize += 5;
      continue;
    }
    Bytes key;
    ByteWriter kw(key);
    encode_attributes(kw, *attrs, opts);
    auto& g = groups[key];
    g.first = *attrs;
    g.second.push_back(prefix);
  }
  ps.pending.clear();
  if (!w.withdrawn.empty()) send(ps, MessageType::update, encode_update(w, opts));
  for (auto& [key, group] : groups) {
    UpdateMessage u;
    u.attrs = group.first;
    for (const auto& prefix : group.second) {
      if (kUpdateFixed + key.size() + (u.nlri.size() + 1) * 5 > kMaxMessageSize) {
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
  auto it = loc_rib_.find(prefix);
  return it == loc_rib_.end() ? std::vector<Path>{} : it->second.best;
}

}  // namespace vpnlab::bgp
