// CHILD_SA creation (RFC 7296 1.3.1) inside IKE_AUTH or CREATE_CHILD_SA, and CHILD_SA rekey
// (1.3.3) when a REKEY_SA notify names the SA being replaced:
//   HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], TSi, TSr}  -->
//                                             <--  HDR, SK {SA, Nr, [KEr], TSi, TSr}
// KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), initiator-to-responder keys first (2.17).
// Traffic selectors are narrowed to the intersection with our configuration (2.9).
//
// Rekey is make-before-break: the initiator installs and switches to the new SA when the
// response arrives and then deletes the old one; the responder installs the new SA but
// switches only when the old one's DELETE arrives. Collisions (2.8.1): when both peers rekey
// the same SA, both exchanges complete; the SA created by the exchange holding the lowest of
// the four nonces is redundant and is deleted by its initiator, the other peer deletes the old
// SA. A rekey request for an SA we are deleting gets TEMPORARY_FAILURE (2.25.1).
//
// Known deviation: a rekey request for an SA whose own rekey already completed gets
// TEMPORARY_FAILURE instead of the late collision resolution of 2.8.1.

#include <algorithm>

#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

constexpr std::size_t kNonceSize = 32;

/// RFC 7296 2.9: the intersection of each proposed selector with each configured one.
std::vector<TrafficSelector> narrow(const std::vector<TrafficSelector>& proposed,
                                    const std::vector<TrafficSelector>& ours) {
  std::vector<TrafficSelector> out;
  for (const TrafficSelector& p : proposed) {
    for (const TrafficSelector& c : ours) {
      if (p.ip_protocol && c.ip_protocol && p.ip_protocol != c.ip_protocol) continue;
      TrafficSelector t;
      t.ip_protocol = c.ip_protocol ? c.ip_protocol : p.ip_protocol;
      t.start = std::max(p.start, c.start);
      t.end = std::min(p.end, c.end);
      t.start_port = std::max(p.start_port, c.start_port);
      t.end_port = std::min(p.end_port, c.end_port);
      if (t.start <= t.end && t.start_port <= t.end_port) out.push_back(t);
    }
  }
  return out;
}

/// RFC 7296 2.9: the responder may narrow, never widen: each selector it answered with lies
/// inside one we proposed.
bool within(const std::vector<TrafficSelector>& answered,
            const std::vector<TrafficSelector>& proposed) {
  return !answered.empty() &&
         std::all_of(answered.begin(), answered.end(), [&](const TrafficSelector& a) {
           auto n = narrow({a}, proposed);
           return std::find(n.begin(), n.end(), a) != n.end();
         });
}

Bytes min_nonce(const Bytes& a, const Bytes& b) {
  return std::min(a, b);
}

/// RFC 7296 1.2: the first CHILD_SA rides on the IKE_SA_INIT key exchange; IKE_AUTH carries
/// no KE, so its proposals are ours without DH groups (deduplicated).
std::vector<ChildSuite> proposals_for(const std::vector<ChildSuite>& all, bool in_auth) {
  if (!in_auth) return all;
  std::vector<ChildSuite> out;
  for (ChildSuite c : all) {
    c.dh = DhGroup::none;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

class ChildCreate final : public Task {
 public:
  ChildCreate(SaState& s, bool initiator, bool in_auth, std::optional<esp::Spi> rekey)
      : s_(s), initiator_(initiator), in_auth_(in_auth), rekey_(rekey) {}

  TaskStatus build(Message& m) override { return initiator_ ? build_i(m) : build_r(m); }
  TaskStatus process(const Message& m) override { return initiator_ ? process_i(m) : process_r(m); }

 private:
  TaskStatus build_i(Message& m) {
    if (rekey_ && !s_.child_by_inbound(*rekey_)) return TaskStatus::failed;
    if (my_spi_.value == 0) {
      auto spi = s_.installer.reserve_spi();
      if (!spi) return TaskStatus::failed;
      my_spi_ = *spi;
    }
    if (rekey_) {
      NotifyPayload n = NotifyPayload::make(NotifyType::rekey_sa);
      n.protocol = ProtocolId::esp;
      ByteWriter(n.spi).u32(rekey_->value);
      m.add(PayloadType::notify, std::move(n));
    }
    SaPayload sa;
    sa.proposals = compact_proposals(proposals_for(s_.config.child_proposals, in_auth_), my_spi_);
    offered_ = sa.proposals;
    m.add(PayloadType::sa, std::move(sa));
    if (!in_auth_) {
      if (ni_.empty()) ni_ = s_.rng.bytes(kNonceSize);
      m.add(PayloadType::nonce, NoncePayload{ni_});
      DhGroup pfs = group_ ? *group_ : s_.config.child_proposals.front().dh;
      if (pfs != DhGroup::none) {
        if (!dh_) {
          auto kp = DhKeyPair::generate(pfs);
          if (!kp) return TaskStatus::failed;
          dh_ = std::move(*kp);
        }
        m.add(PayloadType::ke, KePayload{static_cast<std::uint16_t>(pfs), dh_->public_value()});
      }
    }
    m.add(PayloadType::ts_i, TsPayload{s_.config.local_ts});
    m.add(PayloadType::ts_r, TsPayload{s_.config.remote_ts});
    return TaskStatus::done;
  }

  TaskStatus process_i(const Message& m) {
    if (auto* ke = m.notify(NotifyType::invalid_ke_payload)) return retry_group(*ke, m);
    auto* sa = m.get<SaPayload>(PayloadType::sa);
    auto choice =
        sa ? accept_child(*sa, proposals_for(s_.config.child_proposals, in_auth_), offered_)
           : std::nullopt;
    const NoncePayload* nonce = m.get<NoncePayload>(PayloadType::nonce);
    if (!choice || (!in_auth_ && !nonce)) return give_up(m);
    auto* tsi = m.get<TsPayload>(PayloadType::ts_i);
    auto* tsr = m.get<TsPayload>(PayloadType::ts_r);
    if (!tsi || !tsr || !within(tsi->selectors, s_.config.local_ts) ||
        !within(tsr->selectors, s_.config.remote_ts)) {
      s_.count("ike.child.ts_widened");
      return give_up(m);
    }
    Bytes ni = in_auth_ ? s_.ni : ni_;
    Bytes nr = in_auth_ ? s_.nr : nonce->data;
    SecretBytes gir;
    if (choice->suite.dh != DhGroup::none) {
      auto* ke = m.get<KePayload>(PayloadType::ke);
      if (!dh_ || !ke || static_cast<DhGroup>(ke->dh_group) != dh_->group()) return give_up(m);
      auto shared = dh_->shared_secret(ke->data);
      if (!shared) return give_up(m);
      gir = std::move(*shared);
    }
    ChildKeys keys = derive_child_keys(s_.suite->prf, s_.keys.sk_d, choice->suite.esp, gir, ni, nr);
    ChildSa c;
    c.inbound = my_spi_;
    c.outbound = choice->peer_spi;
    c.suite = choice->suite;
    c.local_ts = tsi->selectors;
    c.remote_ts = tsr->selectors;
    if (!s_.install_child(c, keys.r_to_i, keys.i_to_r, true)) return TaskStatus::failed;
    if (rekey_) {
      finish_rekey(min_nonce(ni, nr));
    } else {
      s_.event(EventKind::child_established, s_.config.tunnel);
    }
    return TaskStatus::done;
  }

  /// Our rekey completed: resolve a collision (2.8.1) or delete the old SA.
  void finish_rekey(const Bytes& our_min) {
    ChildSa* old = s_.child_by_inbound(*rekey_);
    if (!old) return;
    old->replaced_by = my_spi_;
    std::vector<esp::Spi> to_delete{old->inbound};
    if (old->collision_new) {
      s_.count("ike.child.rekey_collision");
      if (our_min < old->collision_min_nonce) {
        // Our exchange holds the lowest nonce: our new SA is the redundant one.
        to_delete = {my_spi_};
        old->replaced_by = *old->collision_new;
        if (ChildSa* theirs = s_.child_by_inbound(*old->collision_new)) s_.switch_outbound(*theirs);
      }
    }
    old->state = ChildState::rekeyed;
    s_.queue.push_back(Exchange{ExchangeType::informational, {}});
    s_.queue.back().tasks.push_back(make_child_delete(s_, to_delete));
    s_.event(EventKind::child_rekeyed, s_.config.tunnel);
  }

  /// RFC 7296 1.3, 2.7: the responder wants PFS with another group (or any, when we sent no
  /// KE): retry once with it, if one of our suites offers it.
  TaskStatus retry_group(const NotifyPayload& n, const Message& m) {
    if (in_auth_ || n.data.size() != 2 || group_) return give_up(m);
    DhGroup want = static_cast<DhGroup>(load_be16(n.data.data()));
    const auto& ours = s_.config.child_proposals;
    if (want == DhGroup::none ||
        std::none_of(ours.begin(), ours.end(), [&](const ChildSuite& c) { return c.dh == want; }))
      return give_up(m);
    s_.count("ike.child.invalid_ke_retry");
    group_ = want;
    dh_.reset();
    return TaskStatus::need_more;
  }

  TaskStatus give_up(const Message& m) {
    s_.count("ike.child.create_failed");
    if (auto* e = m.error_notify(); e && e->type == NotifyType::no_proposal_chosen) {
      s_.event(EventKind::no_proposal_chosen, s_.config.tunnel);
    }
    if (rekey_) {
      if (ChildSa* old = s_.child_by_inbound(*rekey_); old && old->state == ChildState::rekeying) {
        old->state = ChildState::installed;
      }
    }
    return TaskStatus::failed;
  }

  TaskStatus process_r(const Message& m) {
    ChildSa* old = nullptr;
    if (auto* n = m.notify(NotifyType::rekey_sa)) {
      if (n->spi.size() != 4) return error(NotifyType::invalid_syntax);
      old = s_.child_by_outbound(esp::Spi{load_be32(n->spi.data())});
      if (!old) return error(NotifyType::child_sa_not_found);  // 2.25
      if (old->state == ChildState::deleting || old->state == ChildState::rekeyed) {
        return error(NotifyType::temporary_failure);  // 2.25.1
      }
      rekey_ = old->inbound;
    }
    auto* sa = m.get<SaPayload>(PayloadType::sa);
    auto choice =
        sa ? choose_child(*sa, proposals_for(s_.config.child_proposals, in_auth_)) : std::nullopt;
    if (!choice) {
      s_.count("ike.rx.no_proposal_chosen");
      s_.event(EventKind::no_proposal_chosen, s_.config.tunnel);
      return error(NotifyType::no_proposal_chosen);
    }
    choice_ = *choice;
    auto* tsi = m.get<TsPayload>(PayloadType::ts_i);
    auto* tsr = m.get<TsPayload>(PayloadType::ts_r);
    if (!tsi || !tsr) return error(NotifyType::ts_unacceptable);
    tsi_ = narrow(tsi->selectors, s_.config.remote_ts);
    tsr_ = narrow(tsr->selectors, s_.config.local_ts);
    if (tsi_.empty() || tsr_.empty()) return error(NotifyType::ts_unacceptable);
    Bytes ni = s_.ni;
    if (!in_auth_) {
      ni = m.get<NoncePayload>(PayloadType::nonce)->data;
      nr_ = s_.rng.bytes(kNonceSize);
    }
    Bytes nr = in_auth_ ? s_.nr : nr_;
    SecretBytes gir;
    if (choice_.suite.dh != DhGroup::none) {
      auto* ke = m.get<KePayload>(PayloadType::ke);
      if (!ke || static_cast<DhGroup>(ke->dh_group) != choice_.suite.dh) {
        Bytes group;
        ByteWriter(group).u16(static_cast<std::uint16_t>(choice_.suite.dh));
        return error(NotifyType::invalid_ke_payload, std::move(group));
      }
      auto kp = DhKeyPair::generate(choice_.suite.dh);
      if (!kp) return error(NotifyType::no_proposal_chosen);
      dh_ = std::move(*kp);
      auto shared = dh_->shared_secret(ke->data);
      if (!shared) return error(NotifyType::invalid_syntax);
      gir = std::move(*shared);
    }
    auto spi = s_.installer.reserve_spi();
    if (!spi) return error(NotifyType::no_additional_sas);
    my_spi_ = *spi;
    ChildKeys keys = derive_child_keys(s_.suite->prf, s_.keys.sk_d, choice_.suite.esp, gir, ni, nr);
    ChildSa c;
    c.inbound = my_spi_;
    c.outbound = choice_.peer_spi;
    c.suite = choice_.suite;
    c.local_ts = tsr_;
    c.remote_ts = tsi_;
    if (!s_.install_child(c, keys.i_to_r, keys.r_to_i, !rekey_)) {
      return error(NotifyType::no_additional_sas);
    }
    if (rekey_)
      answer_rekey(min_nonce(ni, nr));
    else
      s_.event(EventKind::child_established, s_.config.tunnel);
    return TaskStatus::done;
  }

  void answer_rekey(const Bytes& their_min) {
    ChildSa* old = s_.child_by_inbound(*rekey_);
    if (!old) return;
    if (old->state == ChildState::rekeying) {
      // 2.8.1: we are rekeying it too; decided when our own exchange completes.
      old->collision_min_nonce = their_min;
      old->collision_new = my_spi_;
      return;
    }
    old->state = ChildState::rekeyed;
    old->replaced_by = my_spi_;
  }

  TaskStatus build_r(Message& m) {
    if (error_) {
      m.add_notify(*error_, error_data_);
      return TaskStatus::failed;
    }
    Proposal reply = choice_.proposal;
    reply.spi.clear();
    ByteWriter(reply.spi).u32(my_spi_.value);
    m.add(PayloadType::sa, SaPayload{{reply}});
    if (!in_auth_) m.add(PayloadType::nonce, NoncePayload{nr_});
    if (dh_)
      m.add(PayloadType::ke,
            KePayload{static_cast<std::uint16_t>(dh_->group()), dh_->public_value()});
    m.add(PayloadType::ts_i, TsPayload{tsi_});
    m.add(PayloadType::ts_r, TsPayload{tsr_});
    return TaskStatus::done;
  }

  TaskStatus error(NotifyType n, Bytes data = {}) {
    // INVALID_KE_PAYLOAD is a step of the negotiation (the initiator retries), not a refusal.
    s_.count(n == NotifyType::invalid_ke_payload ? "ike.child.invalid_ke_sent"
                                                 : "ike.child.rejected");
    error_ = n;
    error_data_ = std::move(data);
    return TaskStatus::failed;
  }

  SaState& s_;
  bool initiator_, in_auth_;
  std::optional<esp::Spi> rekey_;
  esp::Spi my_spi_;
  Bytes ni_, nr_;
  std::optional<DhKeyPair> dh_;
  ChildChoice choice_;
  std::vector<Proposal> offered_;  // what we sent: the reply must name one of them
  std::optional<DhGroup> group_;   // the PFS group the responder asked for (INVALID_KE)
  std::vector<TrafficSelector> tsi_, tsr_;
  std::optional<NotifyType> error_;
  Bytes error_data_;
};

}  // namespace

std::unique_ptr<Task> make_child_create(SaState& s, bool initiator, bool in_ike_auth,
                                        std::optional<esp::Spi> rekey_inbound) {
  return std::make_unique<ChildCreate>(s, initiator, in_ike_auth, rekey_inbound);
}

}  // namespace vpnlab::ike
