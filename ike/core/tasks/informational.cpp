// Responder side of INFORMATIONAL (RFC 7296 1.4): Delete payloads and liveness checks.
//   D(IKE)          -> empty response, the IKE_SA is closed (1.4.1)
//   D(ESP, SPIs)    -> D(ESP, our inbound SPIs of those CHILD_SAs); a rekey responder
//                      switches outbound to the replacement first (make-before-break)
//   (no payloads)   -> empty response: the peer's DPD (2.4)

#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

class InformationalResponder final : public Task {
 public:
  explicit InformationalResponder(SaState& s) : s_(s) {}

  TaskStatus process(const Message& m) override {
    TaskStatus st = TaskStatus::done;
    bool any = false;
    for (const Payload& p : m.payloads) {
      auto* d = std::get_if<DeletePayload>(&p.body);
      if (!d) continue;
      any = true;
      if (d->protocol == ProtocolId::ike) {
        if (s_.state != IkeState::rekeyed) s_.event(EventKind::ike_closed, s_.config.tunnel);
        st = TaskStatus::destroy_sa;
        continue;
      }
      for (std::uint32_t spi : d->spis) delete_child(esp::Spi{spi});
    }
    if (!any) s_.count("ike.rx.liveness_check");
    return st;
  }

  TaskStatus build(Message& m) override {
    if (!deleted_.empty()) m.add(PayloadType::delete_, DeletePayload{ProtocolId::esp, deleted_});
    return TaskStatus::done;
  }

 private:
  void delete_child(esp::Spi peer_inbound) {
    ChildSa* c = s_.child_by_outbound(peer_inbound);
    if (!c) return;  // 2.25: already gone, nothing to answer for it
    std::optional<esp::Spi> next = c->replaced_by;
    bool ours_pending = c->state == ChildState::deleting;
    esp::Spi inbound = c->inbound;
    if (next) {
      if (ChildSa* n = s_.child_by_inbound(*next)) s_.switch_outbound(*n);
    }
    // 2.25.1: if we were deleting it too, our own exchange answers for it as well.
    if (!ours_pending) deleted_.push_back(inbound.value);
    s_.remove_child(inbound);
    if (!next) s_.event(EventKind::child_deleted, s_.config.tunnel);
  }

  SaState& s_;
  std::vector<std::uint32_t> deleted_;
};

}  // namespace

std::unique_ptr<Task> make_informational_responder(SaState& s) {
  return std::make_unique<InformationalResponder>(s);
}

}  // namespace vpnlab::ike
