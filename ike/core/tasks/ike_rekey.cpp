// IKE_SA rekey (RFC 7296 1.3.2, 2.18):
//   HDR, SK {SA(new SPIi), Ni, KEi}  -->
//                               <--  HDR, SK {SA(new SPIr), Nr, KEr}
//   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), keys with the new SPIs. The CHILD_SAs
//   move to the new IKE_SA; the rekey initiator then deletes the old IKE_SA.
// Known deviation from 2.8.2 (simultaneous IKE_SA rekeys): instead of completing both
// exchanges and deleting the redundant IKE_SA, a responder with its own rekey in flight
// compares nonces: if the peer's Ni is the lower one it answers TEMPORARY_FAILURE (its own
// rekey proceeds), otherwise it accepts and its own request will be refused by the peer.
// Both peers decide the same way, so exactly one rekey completes.

#include <algorithm>

#include "ike/core/ike_sa.hpp"
#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

constexpr std::size_t kNonceSize = 32;

class IkeRekey final : public Task {
 public:
  IkeRekey(IkeSa& sa, bool initiator) : sa_(sa), s_(sa.state_for_tasks()), initiator_(initiator) {}

  TaskStatus build(Message& m) override { return initiator_ ? build_i(m) : build_r(m); }
  TaskStatus process(const Message& m) override { return initiator_ ? process_i(m) : process_r(m); }

 private:
  TaskStatus build_i(Message& m) {
    if (s_.state != IkeState::established) return TaskStatus::failed;
    if (new_spi_.value == 0) {
      new_spi_.value = s_.rng.u64() | 1;
      ni_ = s_.rng.bytes(kNonceSize);
      auto kp = DhKeyPair::generate(s_.config.ike_proposals.front().dh);
      if (!kp) return TaskStatus::failed;
      dh_ = std::move(*kp);
    }
    s_.ike_rekey_nonce = ni_;
    SaPayload sa;
    std::uint8_t n = 1;
    for (const IkeSuite& suite : s_.config.ike_proposals) {
      Proposal p = to_proposal(suite, n++);
      ByteWriter(p.spi).u64(new_spi_.value);
      sa.proposals.push_back(std::move(p));
    }
    offered_ = sa.proposals;
    m.add(PayloadType::sa, std::move(sa));
    m.add(PayloadType::nonce, NoncePayload{ni_});
    m.add(PayloadType::ke,
          KePayload{static_cast<std::uint16_t>(dh_->group()), dh_->public_value()});
    return TaskStatus::done;
  }

  TaskStatus process_i(const Message& m) {
    auto* sa = m.get<SaPayload>(PayloadType::sa);
    auto* nonce = m.get<NoncePayload>(PayloadType::nonce);
    auto* ke = m.get<KePayload>(PayloadType::ke);
    auto suite = sa ? accept_ike(*sa, s_.config.ike_proposals, offered_) : std::nullopt;
    s_.ike_rekey_nonce.clear();
    if (!suite || !nonce || !ke || sa->proposals[0].spi.size() != 8 ||
        static_cast<DhGroup>(ke->dh_group) != dh_->group()) {
      s_.count("ike.rekey.failed");
      return TaskStatus::failed;
    }
    IkeSpi peer{load_be32(sa->proposals[0].spi.data()) * (std::uint64_t{1} << 32) +
                load_be32(sa->proposals[0].spi.data() + 4)};
    if (!finish(*suite, ke->data, ni_, nonce->data, new_spi_, peer, true))
      return TaskStatus::failed;
    s_.queue.clear();
    s_.queue.push_back(Exchange{ExchangeType::informational, {}});
    s_.queue.back().tasks.push_back(make_ike_delete(s_));
    return TaskStatus::done;
  }

  TaskStatus process_r(const Message& m) {
    auto* sa = m.get<SaPayload>(PayloadType::sa);
    auto* nonce = m.get<NoncePayload>(PayloadType::nonce);
    auto* ke = m.get<KePayload>(PayloadType::ke);
    if (s_.state != IkeState::established) return error(NotifyType::temporary_failure);
    if (!s_.ike_rekey_nonce.empty() && nonce->data < s_.ike_rekey_nonce) {
      s_.count("ike.rekey.collision_refused");
      return error(NotifyType::temporary_failure);
    }
    auto choice = choose_ike(*sa, s_.config.ike_proposals, 8,
                             ke ? std::optional{static_cast<DhGroup>(ke->dh_group)} : std::nullopt);
    if (!choice) return error(NotifyType::no_proposal_chosen);
    if (!ke || static_cast<DhGroup>(ke->dh_group) != choice->suite.dh) {
      Bytes group;
      ByteWriter(group).u16(static_cast<std::uint16_t>(choice->suite.dh));
      return error(NotifyType::invalid_ke_payload, std::move(group));
    }
    auto kp = DhKeyPair::generate(choice->suite.dh);
    if (!kp) return error(NotifyType::no_proposal_chosen);
    dh_ = std::move(*kp);
    reply_ = choice->proposal;
    nr_ = s_.rng.bytes(kNonceSize);
    new_spi_.value = s_.rng.u64() | 1;
    auto offered = std::find_if(sa->proposals.begin(), sa->proposals.end(), [&](const Proposal& p) {
      return p.number == reply_.number && p.spi.size() == 8;
    });
    if (offered == sa->proposals.end()) return error(NotifyType::invalid_syntax);
    const Bytes& pspi = offered->spi;
    IkeSpi peer{load_be32(pspi.data()) * (std::uint64_t{1} << 32) + load_be32(pspi.data() + 4)};
    if (!finish(choice->suite, ke->data, nonce->data, nr_, peer, new_spi_, false)) {
      return error(NotifyType::invalid_syntax);
    }
    return TaskStatus::done;
  }

  TaskStatus build_r(Message& m) {
    if (error_) {
      m.add_notify(*error_, error_data_);
      return TaskStatus::failed;
    }
    ByteWriter(reply_.spi).u64(new_spi_.value);
    m.add(PayloadType::sa, SaPayload{{reply_}});
    m.add(PayloadType::nonce, NoncePayload{nr_});
    m.add(PayloadType::ke,
          KePayload{static_cast<std::uint16_t>(dh_->group()), dh_->public_value()});
    return TaskStatus::done;
  }

  bool finish(const IkeSuite& suite, ByteSpan peer_ke, const Bytes& ni, const Bytes& nr,
              IkeSpi spi_i, IkeSpi spi_r, bool initiator) {
    auto gir = dh_->shared_secret(peer_ke);
    if (!gir) return false;
    SecretBytes seed = skeyseed_rekey(s_.suite->prf, s_.keys.sk_d, *gir, ni, nr);
    IkeKeys keys = derive_ike_keys(suite, seed, ni, nr, spi_i, spi_r);
    sa_.set_successor(
        IkeSa::make_rekeyed(s_, initiator, spi_i, spi_r, suite, std::move(keys), ni, nr));
    s_.state = IkeState::rekeyed;
    s_.cancel(TimerKind::ike_rekey);
    s_.cancel(TimerKind::dpd);
    s_.event(EventKind::ike_rekeyed, s_.config.tunnel);
    return true;
  }

  TaskStatus error(NotifyType n, Bytes data = {}) {
    error_ = n;
    error_data_ = std::move(data);
    return TaskStatus::failed;
  }

  IkeSa& sa_;
  SaState& s_;
  bool initiator_;
  IkeSpi new_spi_;
  Bytes ni_, nr_;
  std::optional<DhKeyPair> dh_;
  Proposal reply_;
  std::vector<Proposal> offered_;  // what we sent: the reply must name one of them
  std::optional<NotifyType> error_;
  Bytes error_data_;
};

}  // namespace

std::unique_ptr<Task> make_ike_rekey(IkeSa& sa, bool initiator) {
  return std::make_unique<IkeRekey>(sa, initiator);
}

}  // namespace vpnlab::ike
