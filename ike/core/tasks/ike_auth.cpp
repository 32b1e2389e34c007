// IKE_AUTH with a pre-shared key (RFC 7296 1.2, 2.15):
//   HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  -->
//                                   <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>), compared in constant
// time. A wrong AUTH is answered with AUTHENTICATION_FAILED and the IKE_SA is destroyed
// (2.21.2). The PSK never leaves SecretBytes and is never logged. INITIAL_CONTACT (2.4) goes
// out on first contact and is noted, once AUTH is verified, when the peer sends it.

#include "base/log.hpp"
#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

Bytes id_body(const IdPayload& id) {
  Bytes b;
  ByteWriter w(b);
  encode_id(id, w);
  return b;
}

class IkeAuth final : public Task {
 public:
  IkeAuth(SaState& s, bool initiator) : s_(s), initiator_(initiator) {}

  TaskStatus build(Message& m) override {
    if (failed_) {
      m.add_notify(NotifyType::authentication_failed);
      return TaskStatus::destroy_sa;
    }
    // Initiator signs RealMessage1 | Nr | prf(SK_pi, IDi'); responder RealMessage2 | Ni |
    // prf(SK_pr, IDr') (2.15).
    const IdPayload& id = s_.config.local_id;
    Bytes auth = initiator_ ? psk_auth(s_.suite->prf, s_.config.psk, s_.keys.sk_pi, s_.init_request,
                                       s_.nr, id_body(id))
                            : psk_auth(s_.suite->prf, s_.config.psk, s_.keys.sk_pr,
                                       s_.init_response, s_.ni, id_body(id));
    m.add(initiator_ ? PayloadType::id_i : PayloadType::id_r, id);
    m.add(PayloadType::auth, AuthPayload{AuthMethod::shared_key_mic, std::move(auth)});
    // RFC 7296 2.4, 3.10.1: "this IKE SA is the only IKE SA currently active between the
    // authenticated identities" - a restarted peer's stale SAs go at once, not after DPD.
    if (initiator_ && s_.send_initial_contact) m.add_notify(NotifyType::initial_contact);
    return TaskStatus::done;
  }

  TaskStatus process(const Message& m) override {
    if (initiator_) {
      if (auto* e = m.error_notify(); e && !m.get<AuthPayload>(PayloadType::auth)) {
        if (e->type == NotifyType::authentication_failed) {
          s_.count("ike.auth.failed");
          s_.event(EventKind::authentication_failed, s_.config.tunnel);
        }
        return TaskStatus::destroy_sa;
      }
    }
    auto* id = m.get<IdPayload>(initiator_ ? PayloadType::id_r : PayloadType::id_i);
    auto* auth = m.get<AuthPayload>(PayloadType::auth);
    if (!id || !auth || !verify(*id, *auth)) return fail();
    // Only an authenticated INITIAL_CONTACT may delete state (RFC 7296 2.4).
    if (m.notify(NotifyType::initial_contact)) s_.peer_initial_contact = true;
    s_.on_established();
    return TaskStatus::done;
  }

 private:
  bool verify(const IdPayload& id, const AuthPayload& auth) {
    if (auth.method != AuthMethod::shared_key_mic) return false;
    const IdPayload& want = s_.config.remote_id;
    if (!want.data.empty() && !(want == id)) {
      VPNLAB_LOG(warn, "ike", "%s: peer ID %s does not match configured %s",
                 s_.config.tunnel.c_str(), id.to_string().c_str(), want.to_string().c_str());
      return false;
    }
    Bytes expect = initiator_ ? psk_auth(s_.suite->prf, s_.config.psk, s_.keys.sk_pr,
                                         s_.init_response, s_.ni, id_body(id))
                              : psk_auth(s_.suite->prf, s_.config.psk, s_.keys.sk_pi,
                                         s_.init_request, s_.nr, id_body(id));
    return SecretBytes::constant_time_equal(expect, auth.data);
  }

  TaskStatus fail() {
    s_.count("ike.auth.failed");
    s_.event(EventKind::authentication_failed, s_.config.tunnel);
    VPNLAB_LOG(warn, "ike", "%s: AUTHENTICATION_FAILED", s_.config.tunnel.c_str());
    if (initiator_) return TaskStatus::destroy_sa;
    failed_ = true;
    return TaskStatus::destroy_sa;
  }

  SaState& s_;
  bool initiator_;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<Task> make_ike_auth(SaState& s, bool initiator) {
  return std::make_unique<IkeAuth>(s, initiator);
}

}  // namespace vpnlab::ike
