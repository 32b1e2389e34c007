#pragma once
// Lines of the human `vpnlab status` that decode the status documents' error and drop
// fields (issue 11, "Faithful recovery, explained"): a BGP peer's last NOTIFICATION and a
// CHILD_SA's or tunnel's drops by reason. Pure functions over the JSON the gateways' control
// sockets answer (or a real node's mapped status), so they are tested from fixtures.
#include <nlohmann/json.hpp>
#include <string>

namespace vpnlab::topology {

/// A BGP peer's last error, "" when it has none. From `lastErrorDetail` (a vpnlab speaker):
/// "Cease/Maximum Number of Prefixes Reached: more than 100 prefixes (sent; IPv4 unicast,
/// upper bound 100)"; else the peer's `lastError` text as a real node reported it.
std::string bgp_last_error_text(const nlohmann::json& peer);

/// One direction of a CHILD_SA ({"drops": {reason: n}, ...}): "dropped 5: auth_failed 3,
/// replay 2". Inbound always names auth_failed and replay (zeros too), then every other
/// reason with a count; `drops` missing (a real node): auth_failures / replay_drops.
std::string sa_drops_text(const nlohmann::json& direction, bool inbound);

/// Drops in a counters map ({"dp.rx.drop.replay": 2, "dp.tx.drop.no_outbound_sa": 12, ...}),
/// every reason the dataplane or esp/ counted: "rx replay 2, tx no_outbound_sa 12", or "none".
std::string counter_drops_text(const nlohmann::json& counters);

}  // namespace vpnlab::topology
