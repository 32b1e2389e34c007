#pragma once
// Factories for the IKEv2 tasks (one per file, strongSwan sa/ikev2/tasks). `initiator`
// is the role in the exchange, not in the IKE_SA.

#include <memory>
#include <optional>
#include <vector>

#include "esp/types.hpp"
#include "ike/core/sa_state.hpp"
#include "ike/core/task.hpp"

namespace vpnlab::ike {

class IkeSa;

/// IKE_SA_INIT (RFC 7296 1.2, 2.6 COOKIE, 1.2 INVALID_KE_PAYLOAD retry, 2.23 NAT-D,
/// RFC 7383 fragmentation support).
std::unique_ptr<Task> make_ike_init(SaState& s, bool initiator);
/// IKE_AUTH with PSK (2.15).
std::unique_ptr<Task> make_ike_auth(SaState& s, bool initiator);
/// CHILD_SA creation in IKE_AUTH or CREATE_CHILD_SA (1.3.1), rekey with REKEY_SA (1.3.3)
/// including the 2.8.1 collision rules.
std::unique_ptr<Task> make_child_create(SaState& s, bool initiator, bool in_ike_auth,
                                        std::optional<esp::Spi> rekey_inbound = std::nullopt);
/// INFORMATIONAL with Delete payloads for CHILD_SAs (1.4.1).
std::unique_ptr<Task> make_child_delete(SaState& s, std::vector<esp::Spi> inbound);
/// INFORMATIONAL deleting this IKE_SA (1.4.1).
std::unique_ptr<Task> make_ike_delete(SaState& s);
/// Empty INFORMATIONAL: liveness check (2.4).
std::unique_ptr<Task> make_dpd(SaState& s, bool* outstanding);
/// Responder side of any INFORMATIONAL request (Delete payloads, liveness checks).
std::unique_ptr<Task> make_informational_responder(SaState& s);
/// IKE_SA rekey with CREATE_CHILD_SA (1.3.2, 2.18).
std::unique_ptr<Task> make_ike_rekey(IkeSa& sa, bool initiator);

/// NAT_DETECTION_*_IP data (2.23): SHA-1(SPIi | SPIr | IP | Port).
Bytes natd_hash(IkeSpi spi_i, IkeSpi spi_r, const Endpoint& e);

}  // namespace vpnlab::ike
