// Deleting the IKE_SA (RFC 7296 1.4.1): HDR, SK {D(IKE)} --> <-- HDR, SK {}. The CHILD_SAs
// go with it (unless an IKE_SA rekey moved them to the new IKE_SA first).

#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

class IkeDelete final : public Task {
 public:
  explicit IkeDelete(SaState& s) : s_(s) {}
  TaskStatus build(Message& m) override {
    if (s_.state != IkeState::rekeyed) s_.state = IkeState::deleting;
    m.add(PayloadType::delete_, DeletePayload{ProtocolId::ike, {}});
    return TaskStatus::done;
  }
  TaskStatus process(const Message&) override {
    if (s_.state != IkeState::rekeyed) s_.event(EventKind::ike_closed, s_.config.tunnel);
    return TaskStatus::destroy_sa;
  }

 private:
  SaState& s_;
};

class Dpd final : public Task {
 public:
  Dpd(SaState& s, bool* outstanding) : s_(s), outstanding_(outstanding) {}
  TaskStatus build(Message&) override {
    s_.count("ike.dpd.sent");
    return TaskStatus::done;
  }
  TaskStatus process(const Message&) override {
    *outstanding_ = false;
    s_.cancel(TimerKind::dpd_timeout);
    return TaskStatus::done;
  }

 private:
  SaState& s_;
  bool* outstanding_;
};

}  // namespace

std::unique_ptr<Task> make_ike_delete(SaState& s) {
  return std::make_unique<IkeDelete>(s);
}

std::unique_ptr<Task> make_dpd(SaState& s, bool* outstanding) {
  return std::make_unique<Dpd>(s, outstanding);
}

}  // namespace vpnlab::ike
