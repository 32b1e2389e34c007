// Deleting CHILD_SAs (RFC 7296 1.4.1):
//   HDR, SK {D(ESP, our inbound SPIs)}  -->
//                                  <--  HDR, SK {D(ESP, peer's inbound SPIs)}
// Both directions are removed from the dataplane when the response arrives.

#include "ike/core/tasks/tasks.hpp"

namespace vpnlab::ike {
namespace {

class ChildDelete final : public Task {
 public:
  ChildDelete(SaState& s, std::vector<esp::Spi> inbound) : s_(s), inbound_(std::move(inbound)) {}

  TaskStatus build(Message& m) override {
    DeletePayload d{ProtocolId::esp, {}};
    for (esp::Spi spi : inbound_) {
      ChildSa* c = s_.child_by_inbound(spi);
      if (!c) continue;
      if (c->state != ChildState::rekeyed) c->state = ChildState::deleting;
      d.spis.push_back(spi.value);
    }
    if (d.spis.empty()) return TaskStatus::failed;
    m.add(PayloadType::delete_, std::move(d));
    return TaskStatus::done;
  }

  TaskStatus process(const Message&) override {
    for (esp::Spi spi : inbound_) {
      ChildSa* c = s_.child_by_inbound(spi);
      if (!c) continue;
      bool replaced = c->replaced_by.has_value();
      s_.remove_child(spi);
      if (!replaced) s_.event(EventKind::child_deleted, s_.config.tunnel);
    }
    return TaskStatus::done;
  }

 private:
  SaState& s_;
  std::vector<esp::Spi> inbound_;
};

}  // namespace

std::unique_ptr<Task> make_child_delete(SaState& s, std::vector<esp::Spi> inbound) {
  return std::make_unique<ChildDelete>(s, std::move(inbound));
}

}  // namespace vpnlab::ike
