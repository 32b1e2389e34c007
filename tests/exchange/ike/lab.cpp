#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {

IkeSa* Side::sa() {
  auto all = manager->sas_for("tunnel1");
  return all.size() == 1 ? all[0] : nullptr;
}

void rewrite_left_ports(Lab& lab) {
  lab.filter = [](Datagram& d, bool from_left) {
    if (from_left) {
      d.from.port = d.from.port == 4500 ? 40001 : 40000;
    } else {
      d.to.port = d.to.port == 40001 ? 4500 : 500;
    }
    return true;
  };
}

PeerConfig lab_peer(bool left) {
  PeerConfig c;
  c.tunnel = "tunnel1";
  c.local = *Ipv4Address::parse(left ? "192.0.2.1" : "198.51.100.1");
  c.remote = *Ipv4Address::parse(left ? "198.51.100.1" : "192.0.2.1");
  c.local_id = IdPayload::ipv4(c.local);
  c.remote_id = IdPayload::ipv4(c.remote);
  c.psk = SecretBytes(std::string_view("lab-psk-0123"));
  c.ike_proposals = {IkeSuite{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
                              PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256}};
  c.child_proposals = {
      ChildSuite{{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none}, DhGroup::none}};
  return c;
}

Lab::Lab(PeerConfig left_cfg, PeerConfig right_cfg) {
  left.manager->add_peer(std::move(left_cfg));
  right.manager->add_peer(std::move(right_cfg));
}

void Lab::apply(Side& from, Actions a) {
  bool is_left = &from == &left;
  for (Datagram& d : a.send) {
    (is_left ? sent_by_left : sent_by_right).push_back(d.data);
    queue_.emplace_back(std::move(d), is_left);
  }
  for (const TimerRequest& t : a.timers) {
    Key k{&from, t.sa.value, t.kind, t.id};
    if (t.cancel) {
      timers_.erase(k);
    } else {
      timers_[k] = now_ + t.delay;
      delays_[t.kind].push_back(t.delay);
    }
  }
  for (Event& e : a.events) from.events.push_back(std::move(e));
}

void Lab::deliver(std::size_t limit) {
  for (std::size_t n = 0; n < limit && !queue_.empty(); ++n) {
    auto [d, from_left] = std::move(queue_.front());
    queue_.erase(queue_.begin());
    if (filter && !filter(d, from_left)) continue;
    Side& to = from_left ? right : left;
    apply(to, to.manager->on_datagram(d));
  }
}

void Lab::advance(Duration d) {
  Duration until = now_ + d;
  for (;;) {
    auto next = timers_.end();
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->second <= until && (next == timers_.end() || it->second < next->second)) next = it;
    }
    if (next == timers_.end()) break;
    auto [side, sa, kind, id] = next->first;
    now_ = next->second;
    timers_.erase(next);
    apply(*side, side->manager->on_timer(IkeSpi{sa}, kind, id));
    deliver();
  }
  now_ = until;
}

bool Lab::fire(Side& side, TimerKind kind) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    auto [s, sa, k, id] = it->first;
    if (s != &side || k != kind) continue;
    timers_.erase(it);
    apply(side, side.manager->on_timer(IkeSpi{sa}, kind, id));
    return true;
  }
  return false;
}

bool Lab::established() {
  IkeSa* l = left.sa();
  IkeSa* r = right.sa();
  return l && r && l->state() == IkeState::established && r->state() == IkeState::established;
}

}  // namespace vpnlab::ike::test
