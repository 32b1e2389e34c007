#include "ike/core/ike_sa.hpp"

#include <cmath>
#include <functional>

#include "base/log.hpp"
#include "ike/core/sk_cipher.hpp"
#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {

IkeSa::IkeSa(PeerConfig config, Rng& rng, dataplane::SaInstaller& installer, CounterSet& counters)
    : s_(std::move(config), rng, installer, counters) {}
IkeSa::~IkeSa() = default;

std::unique_ptr<IkeSa> IkeSa::make_initiator(PeerConfig config, Rng& rng,
                                             dataplane::SaInstaller& installer,
                                             CounterSet& counters) {
  std::unique_ptr<IkeSa> sa(new IkeSa(std::move(config), rng, installer, counters));
  sa->s_.initiator = true;
  do {
    sa->s_.spi_i.value = rng.u64();
  } while (sa->s_.spi_i.value == 0);
  sa->s_.local = Endpoint{sa->s_.config.local, sa->s_.config.local_port};
  sa->s_.remote = Endpoint{sa->s_.config.remote, sa->s_.config.remote_port};
  return sa;
}

std::unique_ptr<IkeSa> IkeSa::make_responder(PeerConfig config, Rng& rng,
                                             dataplane::SaInstaller& installer,
                                             CounterSet& counters, IkeSpi spi_i, Endpoint local,
                                             Endpoint remote) {
  std::unique_ptr<IkeSa> sa(new IkeSa(std::move(config), rng, installer, counters));
  sa->s_.initiator = false;
  sa->s_.spi_i = spi_i;
  do {
    sa->s_.spi_r.value = rng.u64();
  } while (sa->s_.spi_r.value == 0);
  sa->s_.local = local;
  sa->s_.remote = remote;
  sa->s_.state = IkeState::connecting;
  return sa;
}

std::unique_ptr<IkeSa> IkeSa::make_rekeyed(SaState& old, bool initiator, IkeSpi spi_i, IkeSpi spi_r,
                                           IkeSuite suite, IkeKeys keys, Bytes ni, Bytes nr) {
  std::unique_ptr<IkeSa> sa(new IkeSa(old.config, old.rng, old.installer, old.counters));
  SaState& s = sa->s_;
  s.initiator = initiator;
  s.spi_i = spi_i;
  s.spi_r = spi_r;
  s.local = old.local;
  s.remote = old.remote;
  s.suite = suite;
  s.keys = std::move(keys);
  s.cipher = make_sk_cipher(suite, s.keys, initiator, old.rng);
  s.ni = std::move(ni);
  s.nr = std::move(nr);
  s.peer_fragmentation = old.peer_fragmentation;
  s.nat_detected = old.nat_detected;
  s.local_behind_nat = old.local_behind_nat;
  s.out = old.out;
  // The CHILD_SAs move to the new IKE_SA (2.18); their timers move with them. A CHILD_SA
  // rekey still queued (or in flight) on the old IKE_SA goes with its exchange queue: the
  // CHILD_SA is INSTALLED again so its timer on the new IKE_SA rekeys it (a soak found it
  // stuck in REKEYING, never rekeyed, hard-expired, and the tunnel down for good).
  for (ChildSa& c : old.children) {
    if (c.state == ChildState::rekeying) c.state = ChildState::installed;
    old.cancel(TimerKind::child_rekey, c.inbound.value);
    old.cancel(TimerKind::child_expire, c.inbound.value);
    s.timer(TimerKind::child_rekey, c.inbound.value, s.rekey_delay(s.config.timers.child_lifetime));
    s.timer(TimerKind::child_expire, c.inbound.value,
            s.config.scaled(s.config.timers.child_lifetime));
  }
  s.children = std::move(old.children);
  old.children.clear();
  for (esp::Spi spi : old.retired_inbound) {
    old.cancel(TimerKind::retire_inbound, spi.value);
    s.timer(TimerKind::retire_inbound, spi.value, s.config.rekeyed_inbound_grace());
  }
  s.retired_inbound = std::move(old.retired_inbound);
  old.retired_inbound.clear();
  s.on_established();
  s.out = nullptr;
  return sa;
}

Actions IkeSa::run(const std::function<void()>& f) {
  Actions out;
  s_.out = &out;
  f();
  s_.out = nullptr;
  out.destroy = s_.state == IkeState::closed;
  return out;
}

Actions IkeSa::initiate() {
  return run([this] {
    s_.state = IkeState::connecting;
    Exchange init{ExchangeType::ike_sa_init, {}};
    init.tasks.push_back(make_ike_init(s_, true));
    Exchange auth{ExchangeType::ike_auth, {}};
    auth.tasks.push_back(make_ike_auth(s_, true));
    auth.tasks.push_back(make_child_create(s_, true, true));
    s_.queue.push_back(std::move(init));
    s_.queue.push_back(std::move(auth));
    kick();
  });
}

void IkeSa::kick() {
  if (active_ || s_.queue.empty() || s_.state == IkeState::closed) return;
  active_ = Outstanding{std::move(s_.queue.front()), MessageId{next_request_id_}, {}, 0};
  s_.queue.pop_front();
  send_request();
}

std::vector<Bytes> IkeSa::encode(Message& m) {
  std::vector<Bytes> out;
  if (!m.encrypted) {
    auto wire = encode_message(m, nullptr);
    if (wire) out.push_back(std::move(*wire));
    return out;
  }
  auto wire = encode_message(m, s_.cipher.get());
  if (!wire) {
    s_.count("ike.tx.encode_failed");
    return out;
  }
  // RFC 7383 2.5: fragment only when both sides announced support and it is too big.
  if (wire->size() > s_.config.fragment_size && s_.peer_fragmentation && s_.config.fragmentation) {
    auto frags = protect_fragments(m.header, m.payloads, *s_.cipher, s_.config.fragment_size);
    if (frags) return std::move(*frags);
  }
  out.push_back(std::move(*wire));
  return out;
}

void IkeSa::send_request() {
  Message m;
  m.header.spi_i = s_.spi_i;
  m.header.spi_r = s_.spi_r;
  m.header.exchange = active_->exchange.type;
  m.header.flags = s_.initiator ? Header::kFlagInitiator : 0;
  m.header.message_id = active_->id;
  m.encrypted = active_->exchange.type != ExchangeType::ike_sa_init;
  for (auto& t : active_->exchange.tasks) {
    TaskStatus st = t->build(m);
    if (st == TaskStatus::failed || st == TaskStatus::destroy_sa) {
      active_.reset();
      if (st == TaskStatus::destroy_sa) s_.state = IkeState::closed;
      kick();
      return;
    }
  }
  active_->datagrams = encode(m);
  if (m.header.exchange == ExchangeType::ike_sa_init && !active_->datagrams.empty()) {
    s_.init_request = active_->datagrams.front();
  }
  active_->tries = 0;
  resend(active_->datagrams);
  s_.timer(TimerKind::retransmit, 0, s_.config.scaled(s_.config.timers.retransmit_timeout));
}

void IkeSa::resend(const std::vector<Bytes>& datagrams) {
  for (const Bytes& d : datagrams) s_.out->send.push_back(Datagram{s_.local, s_.remote, d});
  s_.count("ike.tx.messages");
}

Actions IkeSa::on_message(const Message& m, ByteSpan raw, Endpoint from, Endpoint to) {
  return run([&] {
    // RFC 7296 2.11: replies go where the request came from (NAT may change ports), and
    // 2.23: a peer that floated to port 4500 is followed there.
    if (!m.header.is_response() || to.port != s_.local.port) {
      s_.remote = from;
      s_.local = to;
    }
    if (m.header.is_response()) {
      handle_response(m, raw);
    } else {
      handle_request(m, raw);
    }
  });
}

void IkeSa::handle_response(const Message& m, ByteSpan raw) {
  if (!active_ || m.header.message_id != active_->id ||
      m.header.exchange != active_->exchange.type) {
    s_.drop("ike.rx.unexpected_response", "response to no request in flight (RFC 7296 2.1)");
    return;
  }
  s_.cancel(TimerKind::retransmit);
  if (m.header.exchange == ExchangeType::ike_sa_init)
    s_.init_response.assign(raw.begin(), raw.end());
  TaskStatus worst = TaskStatus::done;
  for (auto& t : active_->exchange.tasks) {
    TaskStatus st = t->process(m);
    if (st != TaskStatus::done && (worst == TaskStatus::done || st == TaskStatus::destroy_sa)) {
      worst = st;
    }
    if (st == TaskStatus::need_more || st == TaskStatus::destroy_sa) break;
  }
  if (worst == TaskStatus::need_more) {
    // IKE_SA_INIT retries (COOKIE, INVALID_KE_PAYLOAD: 1.2, 2.6) keep message ID 0; any
    // other exchange was completed by the error response, so its retry is a new request
    // (1.3: CREATE_CHILD_SA again with the group the responder asked for).
    if (m.header.exchange != ExchangeType::ike_sa_init) active_->id = MessageId{++next_request_id_};
    send_request();
    return;
  }
  active_.reset();
  next_request_id_++;
  if (worst == TaskStatus::destroy_sa) {
    s_.remove_all_children();
    s_.state = IkeState::closed;
    return;
  }
  kick();
}

std::vector<std::unique_ptr<Task>> IkeSa::responder_tasks(const Message& m) {
  std::vector<std::unique_ptr<Task>> tasks;
  switch (m.header.exchange) {
    case ExchangeType::ike_sa_init:
      if (s_.state == IkeState::connecting && !s_.cipher) tasks.push_back(make_ike_init(s_, false));
      break;
    case ExchangeType::ike_auth:
      if (s_.state == IkeState::connecting && s_.cipher) {
        tasks.push_back(make_ike_auth(s_, false));
        tasks.push_back(make_child_create(s_, false, true));
      }
      break;
    case ExchangeType::create_child_sa: {
      if (s_.state != IkeState::established) break;
      auto* sa = m.get<SaPayload>(PayloadType::sa);
      bool ike = sa && !sa->proposals.empty() && sa->proposals[0].protocol == ProtocolId::ike;
      tasks.push_back(ike ? make_ike_rekey(*this, false) : make_child_create(s_, false, false));
      break;
    }
    case ExchangeType::informational:
      if (s_.cipher) tasks.push_back(make_informational_responder(s_));
      break;
  }
  return tasks;
}

void IkeSa::handle_request(const Message& m, ByteSpan raw) {
  if (cached_ && m.header.message_id == cached_->id) {
    // RFC 7296 2.1: a retransmitted request gets the same response again.
    s_.drop("ike.rx.retransmitted_request",
            "retransmitted request: the cached response again (RFC 7296 2.1)");
    for (const Bytes& d : cached_->datagrams)
      s_.out->send.push_back(Datagram{s_.local, s_.remote, d});
    return;
  }
  if (m.header.message_id.value != next_expected_id_) {
    s_.drop("ike.rx.invalid_message_id",
            "request outside the window (RFC 7296 2.3): old, replayed or reordered");
    return;
  }
  auto tasks = responder_tasks(m);
  if (tasks.empty()) {
    s_.drop("ike.rx.unexpected_request", "request not valid in this IKE_SA state");
    return;
  }
  if (m.header.exchange == ExchangeType::ike_sa_init)
    s_.init_request.assign(raw.begin(), raw.end());
  Message r;
  r.header = m.header;
  r.header.spi_r = s_.spi_r;
  r.header.flags = Header::kFlagResponse | (s_.initiator ? Header::kFlagInitiator : 0);
  r.encrypted = m.header.exchange != ExchangeType::ike_sa_init;
  TaskStatus worst = TaskStatus::done;
  std::size_t n = 0;
  for (; n < tasks.size(); ++n) {
    worst = tasks[n]->process(m);
    if (worst != TaskStatus::done) break;
  }
  for (std::size_t i = 0; i < tasks.size() && i <= n; ++i) (void)tasks[i]->build(r);
  auto datagrams = encode(r);
  if (m.header.exchange == ExchangeType::ike_sa_init && !datagrams.empty()) {
    s_.init_response = datagrams.front();
  }
  for (const Bytes& d : datagrams) s_.out->send.push_back(Datagram{s_.local, s_.remote, d});
  cached_ = CachedResponse{m.header.message_id, std::move(datagrams)};
  next_expected_id_++;
  if (worst == TaskStatus::destroy_sa) {
    s_.remove_all_children();
    s_.state = IkeState::closed;
  }
  if (s_.state == IkeState::established) kick();
}

Actions IkeSa::reject_request(const Header& h, NotifyType notify, Bytes data) {
  return run([&] {
    if (h.is_response() || h.message_id.value != next_expected_id_ || !s_.cipher) return;
    Message r;
    r.header = h;
    r.header.flags = Header::kFlagResponse | (s_.initiator ? Header::kFlagInitiator : 0);
    r.encrypted = true;
    r.add_notify(notify, std::move(data));
    auto datagrams = encode(r);
    for (const Bytes& d : datagrams) s_.out->send.push_back(Datagram{s_.local, s_.remote, d});
    cached_ = CachedResponse{h.message_id, std::move(datagrams)};
    next_expected_id_++;
  });
}

void IkeSa::peer_dead(EventKind why) {
  s_.event(why, s_.config.tunnel);
  s_.remove_all_children();
  s_.state = IkeState::closed;
  active_.reset();
  s_.queue.clear();
  // cloud-facts: "DPD timeout action" restart = re-initiate; Azure ResponderOnly never
  // initiates, not even after a failure [A-TUN, Z-MODE].
  if (s_.out && s_.config.dpd_action == DpdAction::restart && s_.config.may_initiate()) {
    s_.out->restart = true;
  }
}

Actions IkeSa::on_timer(TimerKind kind, std::uint32_t id) {
  return run([&] {
    switch (kind) {
      case TimerKind::retransmit: {
        if (!active_) return;
        if (++active_->tries > s_.config.timers.retransmit_tries) {
          s_.count("ike.tx.retransmit_give_up");
          peer_dead(EventKind::retransmit_give_up);
          return;
        }
        s_.count("ike.tx.retransmits");
        resend(active_->datagrams);
        double f = std::pow(s_.config.timers.retransmit_base, active_->tries);
        auto base = s_.config.scaled(s_.config.timers.retransmit_timeout);
        s_.timer(TimerKind::retransmit, 0,
                 Duration(static_cast<Duration::rep>(static_cast<double>(base.count()) * f)));
        return;
      }
      case TimerKind::dpd:
        if (s_.state != IkeState::established) return;
        s_.timer(TimerKind::dpd, 0, s_.config.scaled(s_.config.timers.dpd_interval));
        if (dpd_outstanding_) return;
        dpd_outstanding_ = true;
        s_.queue.push_back(Exchange{ExchangeType::informational, {}});
        s_.queue.back().tasks.push_back(make_dpd(s_, &dpd_outstanding_));
        s_.timer(TimerKind::dpd_timeout, 0, s_.config.scaled(s_.config.timers.dpd_timeout));
        kick();
        return;
      case TimerKind::dpd_timeout:
        if (!dpd_outstanding_ || s_.config.dpd_action == DpdAction::none) return;
        s_.count("ike.dpd.timeout");
        peer_dead(EventKind::peer_dead);
        return;
      case TimerKind::ike_rekey:
        if (s_.state == IkeState::established) {
          s_.queue.push_back(Exchange{ExchangeType::create_child_sa, {}});
          s_.queue.back().tasks.push_back(make_ike_rekey(*this, true));
          kick();
        }
        return;
      case TimerKind::ike_expire:
        s_.remove_all_children();
        s_.state = IkeState::closed;
        s_.event(EventKind::ike_closed, "hard lifetime");
        return;
      case TimerKind::child_rekey:
        if (ChildSa* c = s_.child_by_inbound(esp::Spi{id});
            c && c->state == ChildState::installed) {
          c->state = ChildState::rekeying;
          s_.queue.push_back(Exchange{ExchangeType::create_child_sa, {}});
          s_.queue.back().tasks.push_back(make_child_create(s_, true, false, c->inbound));
          kick();
        }
        return;
      case TimerKind::child_expire:
        if (s_.child_by_inbound(esp::Spi{id})) {
          s_.queue.push_back(Exchange{ExchangeType::informational, {}});
          s_.queue.back().tasks.push_back(make_child_delete(s_, {esp::Spi{id}}));
          kick();
        }
        return;
      case TimerKind::retire_inbound:
        s_.drop_retired(esp::Spi{id});
        return;
      case TimerKind::half_open:
        if (s_.state == IkeState::connecting && !s_.initiator) {
          s_.count("ike.half_open.timeout");
          s_.state = IkeState::closed;
        }
        return;
    }
  });
}

Actions IkeSa::rekey_child(esp::Spi inbound) {
  return on_timer(TimerKind::child_rekey, inbound.value);
}

Actions IkeSa::rekey_ike() {
  return on_timer(TimerKind::ike_rekey, 0);
}

Actions IkeSa::delete_child(esp::Spi inbound) {
  return run([&] {
    ChildSa* c = s_.child_by_inbound(inbound);
    if (!c) return;
    c->state = ChildState::deleting;
    s_.queue.push_back(Exchange{ExchangeType::informational, {}});
    s_.queue.back().tasks.push_back(make_child_delete(s_, {inbound}));
    kick();
  });
}

Actions IkeSa::close() {
  return run([&] {
    s_.state = IkeState::deleting;
    s_.queue.clear();
    s_.queue.push_back(Exchange{ExchangeType::informational, {}});
    s_.queue.back().tasks.push_back(make_ike_delete(s_));
    kick();
  });
}

Actions IkeSa::forget(const std::string& why) {
  return run([&] {
    for (TimerKind k : {TimerKind::retransmit, TimerKind::dpd, TimerKind::dpd_timeout,
                        TimerKind::ike_rekey, TimerKind::ike_expire, TimerKind::half_open})
      s_.cancel(k);
    s_.remove_all_children();
    s_.queue.clear();
    active_.reset();
    s_.state = IkeState::closed;
    s_.event(EventKind::ike_closed, why);
  });
}

Actions IkeSa::send_dpd() {
  return on_timer(TimerKind::dpd, 0);
}

}  // namespace vpnlab::ike
