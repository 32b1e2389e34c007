#pragma once
// In-memory BGP lab: several BgpCore nodes joined by links, a fake clock, and a pipe that
// carries each action to the other end (STYLE.md "Fakes are real code"). Time only moves in
// advance(); due timers fire in deadline order; messages are delivered FIFO per pump.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "bgp/core/bgp_core.hpp"
#include "bgp/core/cloud.hpp"

namespace vpnlab::bgp::test {

class FakeClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return t_; }
  void advance(Seconds s) { t_ += s; }

 private:
  std::chrono::steady_clock::time_point t_{};
};

inline Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}
inline Ipv4Prefix pfx(const char* s) {
  return *Ipv4Prefix::parse(s);
}

struct Node {
  std::string name;
  Personality personality;
  std::unique_ptr<BgpCore> core;
  std::map<Ipv4Prefix, std::vector<FibNextHop>> fib;
  std::map<std::tuple<Ipv4Address, ConnId, Timer>, std::chrono::steady_clock::time_point> timers;
  std::vector<std::pair<Ipv4Address, Bytes>> sent;  // every message sent, per peer
  int open_tcp = 0;
  bool frozen = false;  // SIGSTOP: sends nothing, processes nothing, no timers fire
};

class Lab {
 public:
  Node& add_node(std::string name, Personality p, Ipv4Address router_id,
                 std::vector<Ipv4Prefix> networks) {
    auto n = std::make_unique<Node>();
    n->name = std::move(name);
    n->personality = p;
    n->core = std::make_unique<BgpCore>(
        CoreConfig{p.asn, router_id, p.multipath, std::move(networks)}, clock_);
    nodes_.push_back(std::move(n));
    return *nodes_.back();
  }

  /// A /30 link: a at address aa peers with b at address ba.
  void link(Node& a, Ipv4Address aa, Node& b, Ipv4Address ba, std::string device_a = "tun0",
            std::string device_b = "tun0") {
    a.core->add_peer(peer_config(a, aa, b, ba, device_a));
    b.core->add_peer(peer_config(b, ba, a, aa, device_b));
    links_.push_back({&a, aa, &b, ba});
  }

  void start_all() {
    for (auto& n : nodes_) n->core->start_all();
    pump();
  }

  /// Runs the pipe until nothing moves.
  void pump() {
    for (int guard = 0; guard < 100000; ++guard) {
      bool moved = false;
      for (auto& n : nodes_) moved = collect(*n) || moved;
      if (!deliveries_.empty()) {
        auto d = std::move(deliveries_.front());
        deliveries_.pop_front();
        d();
        moved = true;
      }
      if (!moved) return;
    }
    ADD_FAILURE() << "lab did not settle";
  }

  /// Moves time forward one second at a time, firing due timers.
  void advance(Seconds total) {
    for (Seconds s{0}; s < total; s += Seconds(1)) {
      clock_.advance(Seconds(1));
      fire_due_timers();
      pump();
    }
  }

  /// Drops every TCP connection of node a without a NOTIFICATION (link failure).
  void break_connections(Node& a) {
    for (auto it = conns_.begin(); it != conns_.end();) {
      if (it->second.a != &a && it->second.b != &a) {
        ++it;
        continue;
      }
      ConnEnds e = it->second;
      ConnId c = it->first;
      deliveries_.push_back([e, c] {
        e.a->core->on_tcp_failed(e.b_addr, c);
        e.b->core->on_tcp_failed(e.a_addr, c);
      });
      it = conns_.erase(it);
    }
    pump();
  }

  BgpState state(Node& n, const char* peer) {
    for (const auto& p : n.core->status().peers)
      if (p.peer_address == ip(peer)) return p.state;
    return BgpState::idle;
  }
  PeerStatus peer_status(Node& n, const char* peer) {
    for (const auto& p : n.core->status().peers)
      if (p.peer_address == ip(peer)) return p;
    return {};
  }
  FakeClock& clock() { return clock_; }

 private:
  struct LinkEnds {
    Node* a;
    Ipv4Address aa;
    Node* b;
    Ipv4Address ba;
  };
  struct ConnEnds {
    Node* a;  // initiator
    Ipv4Address a_addr;
    Node* b;
    Ipv4Address b_addr;
  };

  PeerConfig peer_config(Node& self, Ipv4Address local, Node& other, Ipv4Address remote,
                         const std::string& device) {
    PeerConfig c;
    auto& s = c.session;
    s.local_asn = self.personality.asn;
    s.router_id = local;
    s.local_address = local;
    s.peer_address = remote;
    s.peer_asn = other.personality.asn;
    s.hold_time = self.personality.hold_time;
    s.keepalive_time = self.personality.keepalive_time;
    s.passive = self.personality.passive;
    s.graceful_restart_families = self.personality.graceful_restart_families;
    c.import = self.personality.import;
    c.export_policy = self.personality.export_policy;
    c.device = device;
    return c;
  }

  // Finds the other end of self's session with peer address `peer`.
  std::optional<std::pair<Node*, Ipv4Address>> other_end(Node& self, Ipv4Address peer,
                                                         Ipv4Address* local) {
    for (const auto& l : links_) {
      if (l.a == &self && l.ba == peer) return (*local = l.aa, std::make_pair(l.b, l.aa));
      if (l.b == &self && l.aa == peer) return (*local = l.ba, std::make_pair(l.a, l.ba));
    }
    return std::nullopt;
  }

  bool collect(Node& n) {
    if (n.frozen) return false;
    auto io = n.core->take_io();
    for (auto& f : n.core->take_fib()) {
      if (f.hops.empty())
        n.fib.erase(f.prefix);
      else
        n.fib[f.prefix] = f.hops;
    }
    for (auto& item : io) handle(n, item);
    return !io.empty();
  }

  void handle(Node& n, PeerIo& item) {
    Ipv4Address local;
    auto other = other_end(n, item.peer, &local);
    if (auto* st = std::get_if<action::StartTimer>(&item.action)) {
      n.timers[{item.peer, st->conn, st->timer}] = clock_.now() + st->after;
    } else if (auto* sp = std::get_if<action::StopTimer>(&item.action)) {
      n.timers.erase({item.peer, sp->conn, sp->timer});
    } else if (std::holds_alternative<action::OpenTcp>(item.action)) {
      ++n.open_tcp;
      if (!other || other->first->frozen) {
        deliveries_.push_back([&n, p = item.peer] { n.core->on_tcp_failed(p, 0); });
        return;
      }
      ConnId c = ++next_conn_;
      Node* o = other->first;
      conns_[c] = ConnEnds{&n, local, o, item.peer};
      deliveries_.push_back([&n, o, c, p = item.peer, local] {
        n.core->on_tcp_connected(p, c, true);
        o->core->on_tcp_connected(local, c, false);
      });
    } else if (auto* s = std::get_if<action::Send>(&item.action)) {
      n.sent.emplace_back(item.peer, s->bytes);
      auto it = conns_.find(s->conn);
      if (it == conns_.end() || !other) return;
      Node* o = other->first;
      deliveries_.push_back([o, local, c = s->conn, b = s->bytes] {
        if (!o->frozen) o->core->on_message(local, c, b);
      });
    } else if (auto* cl = std::get_if<action::CloseTcp>(&item.action)) {
      auto it = conns_.find(cl->conn);
      if (it == conns_.end() || !other) return;
      conns_.erase(it);
      Node* o = other->first;
      deliveries_.push_back([o, local, c = cl->conn] { o->core->on_tcp_failed(local, c); });
    }
  }

  void fire_due_timers() {
    for (auto& n : nodes_) {
      if (n->frozen) continue;
      for (bool fired = true; fired;) {
        fired = false;
        for (auto it = n->timers.begin(); it != n->timers.end(); ++it) {
          if (it->second > clock_.now()) continue;
          auto [peer, conn, timer] = it->first;
          n->timers.erase(it);
          n->core->on_timer(peer, conn, timer);
          collect(*n);
          fired = true;
          break;
        }
      }
    }
  }

  FakeClock clock_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<LinkEnds> links_;
  std::map<ConnId, ConnEnds> conns_;
  std::deque<std::function<void()>> deliveries_;
  ConnId next_conn_ = 0;
};

}  // namespace vpnlab::bgp::test
