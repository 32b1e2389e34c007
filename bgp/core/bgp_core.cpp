// BgpCore, session side: event routing to the right Session, action draining, and
// connection collision resolution (RFC 4271 §6.8). Route handling is in core_routes.cpp.
#include "bgp/core/bgp_core.hpp"

#include "base/log.hpp"

namespace vpnlab::bgp {

BgpCore::BgpCore(CoreConfig config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      local_source_{Ipv4Address{}, config_.router_id, config_.asn, false, true} {
  for (const auto& n : config_.networks) announce(n);
  flush_all();
}

void BgpCore::announce(const Ipv4Prefix& prefix) {
  auto attrs = std::make_shared<PathAttributes>();
  attrs->origin = Origin::igp;
  attrs->as_path = AsPath{};
  rib_.set(prefix, kLocalPeer, rib_.attrs().intern(std::move(attrs)));
  recompute(prefix);
  flush_all();
}

void BgpCore::withdraw(const Ipv4Prefix& prefix) {
  if (!rib_.erase(prefix, kLocalPeer)) return;
  recompute(prefix);
  flush_all();
}

void BgpCore::add_peer(PeerConfig cfg) {
  Ipv4Address addr = cfg.session.peer_address;
  Session s(cfg.session);
  auto [it, added] = peers_.emplace(addr, PeerState{std::move(cfg), std::move(s)});
  if (!added) return;
  it->second.index = static_cast<PeerIndex>(by_index_.size());
  by_index_.push_back(&it->second);
}

BgpCore::PeerState* BgpCore::find(Ipv4Address peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

Session* BgpCore::session_for(PeerState& ps, ConnId conn) {
  if (ps.main.connection() == conn) return &ps.main;
  if (ps.candidate && ps.candidate->connection() == conn) return &*ps.candidate;
  return nullptr;
}

void BgpCore::start_peer(Ipv4Address peer) {
  if (auto* ps = find(peer)) {
    ps->main.on_manual_start();
    settle(*ps);
  }
}

void BgpCore::stop_peer(Ipv4Address peer) {
  if (auto* ps = find(peer)) {
    if (ps->candidate) ps->candidate->on_manual_stop();
    ps->main.on_manual_stop();
    settle(*ps);
  }
}

bool BgpCore::reset_peer(Ipv4Address peer) {
  auto* ps = find(peer);
  if (!ps || ps->main.state() == BgpState::idle || ps->main.connection() == 0) return false;
  // RFC 4486 §4: "Administrative Reset" - the operator resets the session; unlike
  // Administrative Shutdown (manual stop) the session restarts (RFC 4271 Event 3/5).
  ps->main.fail(Notification{static_cast<std::uint8_t>(ErrorCode::cease),
                             static_cast<std::uint8_t>(CeaseSubcode::administrative_reset),
                             {}},
                "administrative reset");
  settle(*ps);
  return true;
}

void BgpCore::start_all() {
  for (auto& [addr, ps] : peers_) start_peer(addr);
}

void BgpCore::on_timer(Ipv4Address peer, ConnId conn, Timer t) {
  auto* ps = find(peer);
  if (!ps) return;
  if (t == Timer::graceful_restart) return on_restart_timer(*ps);
  Session* s = conn != 0 ? session_for(*ps, conn) : &ps->main;
  if (!s) return;
  // Connection-less timers belong to the main session and only mean something in the
  // states that run them; a late expiry from an older state is dropped.
  BgpState st = s->state();
  if (t == Timer::idle_hold && st != BgpState::idle) return;
  if (t == Timer::connect_retry && st != BgpState::connect && st != BgpState::active) return;
  s->on_timer_expires(t);
  settle(*ps);
}

void BgpCore::on_tcp_connected(Ipv4Address peer, ConnId conn, bool outgoing) {
  auto* ps = find(peer);
  if (!ps) {
    io_.push_back(PeerIo{peer, action::CloseTcp{conn}});
    return;
  }
  BgpState st = ps->main.state();
  if (st == BgpState::connect || st == BgpState::active || st == BgpState::idle) {
    ps->main.set_outgoing(outgoing);
    ps->main.on_tcp_connection_confirmed(conn);
  } else if ((st == BgpState::open_sent || st == BgpState::open_confirm) && !ps->candidate) {
    // RFC 4271 §6.8: a second connection while the first has not reached Established.
    ps->candidate.emplace(ps->cfg.session);
    ps->candidate->on_incoming_connection(conn);
    ps->candidate->set_outgoing(outgoing);
  } else {
    // Established (the existing connection wins) or a third connection: close it.
    io_.push_back(PeerIo{peer, action::CloseTcp{conn}});
  }
  settle(*ps);
}

void BgpCore::on_tcp_failed(Ipv4Address peer, ConnId conn) {
  auto* ps = find(peer);
  if (!ps) return;
  if (Session* s = session_for(*ps, conn)) s->on_tcp_connection_fails();
  settle(*ps);
}

void BgpCore::on_message(Ipv4Address peer, ConnId conn, ByteSpan message) {
  auto* ps = find(peer);
  if (!ps) return;
  Session* s = session_for(*ps, conn);
  if (!s || conn == 0) return;
  ++ps->messages_received;
  s->on_message(message);
  settle(*ps);
}

void BgpCore::request_route_refresh(Ipv4Address peer) {
  auto* ps = find(peer);
  if (!ps || ps->main.state() != BgpState::established || !ps->negotiated ||
      !ps->negotiated->route_refresh)
    return;
  send(*ps, MessageType::route_refresh, encode_route_refresh({}));
}

void BgpCore::settle(PeerState& ps) {
  bool more = true;
  while (more) {
    more = drain(ps, ps.main, false);
    if (ps.candidate) more = drain(ps, *ps.candidate, true) || more;
    resolve_collision(ps);
  }
  flush_all();
}

bool BgpCore::drain(PeerState& ps, Session& s, bool candidate) {
  auto actions = s.take_actions();
  Ipv4Address peer = ps.cfg.session.peer_address;
  for (auto& a : actions) {
    if (auto* st = std::get_if<action::StartTimer>(&a)) {
      // A candidate's connection-less timers would alias the main session's.
      if (candidate && st->conn == 0) continue;
    }
    if (std::holds_alternative<action::Send>(a)) ++ps.messages_sent;
    if (auto* up = std::get_if<action::SessionUp>(&a)) {
      on_session_up(ps, up->negotiated);
    } else if (auto* down = std::get_if<action::SessionDown>(&a)) {
      on_session_down(ps, *down);
    } else if (auto* upd = std::get_if<action::UpdateReceived>(&a)) {
      on_update(ps, upd->update);
    } else if (std::holds_alternative<action::RouteRefreshReceived>(a)) {
      // RFC 2918 §4: re-advertise the Adj-RIB-Out.
      ps.rib_out.for_each([&](const Ipv4Prefix& prefix, InternId) { ps.pending.insert(prefix); });
    } else {
      io_.push_back(PeerIo{peer, std::move(a)});
    }
  }
  return !actions.empty();
}

void BgpCore::resolve_collision(PeerState& ps) {
  if (!ps.candidate) return;
  Session& m = ps.main;
  Session& c = *ps.candidate;
  if (c.state() == BgpState::idle) return ps.candidate.reset();
  if (m.state() == BgpState::idle || m.state() == BgpState::connect ||
      m.state() == BgpState::active) {
    ps.main = std::move(c);  // the first connection is gone: the second carries on
    return ps.candidate.reset();
  }
  if (m.state() == BgpState::established) {
    c.on_open_collision_dump();
    drain(ps, c, true);
    return ps.candidate.reset();
  }
  bool m_oc = m.state() == BgpState::open_confirm;
  bool c_oc = c.state() == BgpState::open_confirm;
  if (!m_oc && !c_oc) return;
  // RFC 4271 §6.8: compare BGP Identifiers; if ours is lower, close the connection we
  // initiated, else the one the peer initiated.
  Ipv4Address remote_id = (m_oc ? m : c).negotiated()->peer_id;
  bool close_outgoing = ps.cfg.session.router_id.value < remote_id.value;
  bool main_loses = m.outgoing() == close_outgoing && c.outgoing() != close_outgoing;
  Session& loser = main_loses ? m : c;
  VPNLAB_LOG(info, "bgp", "peer %s: collision, closing the %s connection",
             ps.cfg.session.peer_address.to_string().c_str(),
             loser.outgoing() ? "outgoing" : "incoming");
  loser.on_open_collision_dump();
  drain(ps, loser, !main_loses);
  if (main_loses) ps.main = std::move(c);
  ps.candidate.reset();
}

}  // namespace vpnlab::bgp
