#pragma once
// IKEv2 exchanges as tasks (strongSwan sa/ikev2/tasks): a task contributes payloads to one
// exchange and consumes the reply. Initiator: build(request) then process(response).
// Responder: process(request) then build(response). An exchange is an ordered task list.

#include <memory>
#include <vector>

#include "ike/codec/message.hpp"

namespace vpnlab::ike {

enum class TaskStatus : std::uint8_t {
  done,        // finished with this exchange
  need_more,   // initiator: send the request again (COOKIE, INVALID_KE_PAYLOAD retry)
  failed,      // the exchange failed; the IKE_SA stays
  destroy_sa,  // the IKE_SA must go (after the response, for a responder)
};

class Task {
 public:
  virtual ~Task() = default;
  virtual TaskStatus build(Message& m) = 0;
  virtual TaskStatus process(const Message& m) = 0;
};

struct Exchange {
  ExchangeType type = ExchangeType::informational;
  std::vector<std::unique_ptr<Task>> tasks;
};

}  // namespace vpnlab::ike
