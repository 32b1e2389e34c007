// IKE_SA_INIT (RFC 7296 1.2):
//   Initiator                         Responder
//   HDR, SAi1, KEi, Ni, N(NATD_S), N(NATD_D), N(FRAG_SUP)  -->
//                                <--  HDR, SAr1, KEr, Nr, N(NATD_S), N(NATD_D), N(FRAG_SUP)
// with the retries of 2.6 (N(COOKIE) first, same Ni/KEi) and 1.2 (INVALID_KE_PAYLOAD: the
// group the responder wants). The COOKIE challenge itself is IkeManager's (it keeps no state).

#include <algorithm>

#include "base/log.hpp"
#include "ike/core/sk_cipher.hpp"
#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

constexpr std::size_t kNonceSize = 32;

class IkeInit final : public Task {
 public:
  IkeInit(SaState& s, bool initiator) : s_(s), initiator_(initiator) {}

  TaskStatus build(Message& m) override { return initiator_ ? build_i(m) : build_r(m); }
  TaskStatus process(const Message& m) override { return initiator_ ? process_i(m) : process_r(m); }

 private:
  TaskStatus build_i(Message& m) {
    if (s_.config.ike_proposals.empty()) return TaskStatus::destroy_sa;
    if (group_ == DhGroup::none) group_ = s_.config.ike_proposals.front().dh;
    if (!dh_ || dh_->group() != group_) {
      auto kp = DhKeyPair::generate(group_);
      if (!kp) return TaskStatus::destroy_sa;
      dh_ = std::move(*kp);
    }
    if (s_.ni.empty()) s_.ni = s_.rng.bytes(kNonceSize);
    // RFC 7296 2.6: the COOKIE notify must be the first payload.
    if (!cookie_.empty()) m.add_notify(NotifyType::cookie, cookie_);
    SaPayload sa;
    sa.proposals = compact_proposals(s_.config.ike_proposals);
    offered_ = sa.proposals;
    m.add(PayloadType::sa, std::move(sa));
    m.add(PayloadType::ke, KePayload{static_cast<std::uint16_t>(group_), dh_->public_value()});
    m.add(PayloadType::nonce, NoncePayload{s_.ni});
    add_common_notifies(m);
    return TaskStatus::done;
  }

  void add_common_notifies(Message& m) {
    m.add_notify(NotifyType::nat_detection_source_ip, natd_hash(s_.spi_i, s_.spi_r, s_.local));
    m.add_notify(NotifyType::nat_detection_destination_ip,
                 natd_hash(s_.spi_i, s_.spi_r, s_.remote));
    if (s_.config.fragmentation) m.add_notify(NotifyType::ikev2_fragmentation_supported);
  }

  TaskStatus process_i(const Message& m) {
    if (auto* c = m.notify(NotifyType::cookie)) {
      // RFC 7296 2.6: retry with the cookie, same SPIi and nonce. Only once per cookie.
      if (c->data == cookie_ || c->data.empty() || c->data.size() > 64)
        return TaskStatus::destroy_sa;
      cookie_ = c->data;
      s_.count("ike.init.cookie_retry");
      return TaskStatus::need_more;
    }
    if (auto* ike = m.notify(NotifyType::invalid_ke_payload)) return retry_group(*ike);
    if (auto* e = m.error_notify()) {
      s_.count("ike.init.rejected_by_peer");
      if (e->type == NotifyType::no_proposal_chosen)
        s_.event(EventKind::no_proposal_chosen, s_.config.tunnel);
      VPNLAB_LOG(warn, "ike", "IKE_SA_INIT failed: %s", std::string(to_string(e->type)).c_str());
      return TaskStatus::destroy_sa;
    }
    auto* sa = m.get<SaPayload>(PayloadType::sa);
    auto* ke = m.get<KePayload>(PayloadType::ke);
    auto* nonce = m.get<NoncePayload>(PayloadType::nonce);
    if (!sa || !ke || !nonce) return TaskStatus::destroy_sa;
    auto suite = accept_ike(*sa, s_.config.ike_proposals, offered_);
    if (!suite || static_cast<DhGroup>(ke->dh_group) != group_ || suite->dh != group_) {
      s_.count("ike.init.bad_response");
      return TaskStatus::destroy_sa;
    }
    s_.spi_r = m.header.spi_r;
    s_.nr = nonce->data;
    return derive(*suite, ke->data, m);
  }

  TaskStatus retry_group(const NotifyPayload& n) {
    // RFC 7296 1.2: retry with the group the responder asked for, if we proposed it.
    if (n.data.size() != 2) return TaskStatus::destroy_sa;
    DhGroup want = static_cast<DhGroup>(load_be16(n.data.data()));
    bool offered = std::any_of(s_.config.ike_proposals.begin(), s_.config.ike_proposals.end(),
                               [&](const IkeSuite& p) { return p.dh == want; });
    if (!offered || want == group_ || retried_) return TaskStatus::destroy_sa;
    retried_ = true;
    group_ = want;
    s_.count("ike.init.invalid_ke_retry");
    return TaskStatus::need_more;
  }

  TaskStatus process_r(const Message& m) {
    auto* sa = m.get<SaPayload>(PayloadType::sa);
    auto* ke = m.get<KePayload>(PayloadType::ke);
    auto* nonce = m.get<NoncePayload>(PayloadType::nonce);
    auto choice = choose_ike(*sa, s_.config.ike_proposals, 0, static_cast<DhGroup>(ke->dh_group));
    if (!choice) {
      s_.count("ike.rx.no_proposal_chosen");
      s_.event(EventKind::no_proposal_chosen, s_.config.tunnel);
      return error(NotifyType::no_proposal_chosen, {});
    }
    if (static_cast<DhGroup>(ke->dh_group) != choice->suite.dh) {
      // RFC 7296 1.2: tell the initiator which group we want (2-octet group number).
      Bytes group;
      ByteWriter(group).u16(static_cast<std::uint16_t>(choice->suite.dh));
      s_.count("ike.rx.invalid_ke_payload");
      return error(NotifyType::invalid_ke_payload, std::move(group));
    }
    auto kp = DhKeyPair::generate(choice->suite.dh);
    if (!kp) return error(NotifyType::no_proposal_chosen, {});
    dh_ = std::move(*kp);
    group_ = choice->suite.dh;
    reply_ = choice->proposal;
    s_.ni = nonce->data;
    s_.nr = s_.rng.bytes(kNonceSize);
    TaskStatus st = derive(choice->suite, ke->data, m);
    if (st != TaskStatus::done) return error(NotifyType::invalid_syntax, {});
    s_.timer(TimerKind::half_open, 0, s_.config.scaled(s_.config.timers.half_open_timeout));
    return TaskStatus::done;
  }

  TaskStatus build_r(Message& m) {
    if (error_) {
      m.add_notify(*error_, error_data_);
      return TaskStatus::destroy_sa;
    }
    m.add(PayloadType::sa, SaPayload{{reply_}});
    m.add(PayloadType::ke, KePayload{static_cast<std::uint16_t>(group_), dh_->public_value()});
    m.add(PayloadType::nonce, NoncePayload{s_.nr});
    add_common_notifies(m);
    return TaskStatus::done;
  }

  TaskStatus error(NotifyType n, Bytes data) {
    error_ = n;
    error_data_ = std::move(data);
    return TaskStatus::destroy_sa;
  }

  /// g^ir, SKEYSEED and the SK_* keys (2.14); NAT-D and fragmentation support (2.23, 7383).
  TaskStatus derive(const IkeSuite& suite, ByteSpan peer_ke, const Message& m) {
    auto gir = dh_->shared_secret(peer_ke);
    if (!gir) {
      s_.count("ike.rx.invalid_ke_data");
      return TaskStatus::destroy_sa;
    }
    s_.suite = suite;
    SecretBytes seed = skeyseed_initial(suite.prf, s_.ni, s_.nr, *gir);
    s_.keys = derive_ike_keys(suite, seed, s_.ni, s_.nr, s_.spi_i, s_.spi_r);
    s_.cipher = make_sk_cipher(suite, s_.keys, s_.initiator, s_.rng);
    s_.peer_fragmentation = m.notify(NotifyType::ikev2_fragmentation_supported) != nullptr;
    check_natd(m);
    return TaskStatus::done;
  }

  void check_natd(const Message& m) {
    auto* src = m.notify(NotifyType::nat_detection_source_ip);
    auto* dst = m.notify(NotifyType::nat_detection_destination_ip);
    if (!src || !dst) return;
    IkeSpi spi_r = initiator_ ? s_.spi_r : IkeSpi{0};
    // The peer hashed its own address as source and ours as destination.
    bool peer_natted = src->data != natd_hash(s_.spi_i, spi_r, s_.remote);
    bool us_natted = dst->data != natd_hash(s_.spi_i, spi_r, s_.local);
    s_.nat_detected = peer_natted || us_natted;
    s_.local_behind_nat = us_natted;
    if (!s_.nat_detected) return;
    s_.count("ike.natd.nat_detected");
    // RFC 7296 2.23: behind a NAT the initiator moves to port 4500 for IKE_AUTH onwards.
    if (initiator_ && s_.remote.port == 500) {
      s_.remote.port = 4500;
      s_.local.port = 4500;
    }
  }

  SaState& s_;
  bool initiator_;
  DhGroup group_ = DhGroup::none;
  std::optional<DhKeyPair> dh_;
  Bytes cookie_;
  bool retried_ = false;
  Proposal reply_;
  std::vector<Proposal> offered_;  // what we sent: the reply must name one of them
  std::optional<NotifyType> error_;
  Bytes error_data_;
};

}  // namespace

std::unique_ptr<Task> make_ike_init(SaState& s, bool initiator) {
  return std::make_unique<IkeInit>(s, initiator);
}

}  // namespace vpnlab::ike
