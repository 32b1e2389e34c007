#pragma once
// What the FRR and BIRD nodes share: the BGP timers a plan asks of a routing daemon (scaled
// by the lab's time factor like vpnlab's own gateway, kept valid for RFC 4271), and the
// status JSON both map their daemon's output to - the shape of a vpnlab gateway's "bgp"
// member (bgp/core/status.cpp to_json), which `vpnlab status` (cli/consoles.cpp) and the
// fabric (topology/fabric.cpp: locRib entries with a sourcePeer) read.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "topology/plan.hpp"

namespace vpnlab::topology::nodes {

struct DaemonTimers {
  std::int64_t hold_s = 0, keepalive_s = 0, connect_retry_s = 0, error_wait_s = 0;
};

/// A neighbour's timers as a daemon is told them: hold >= 3 s (RFC 4271 4.2: 0 or >= 3),
/// 1 s <= keepalive <= hold / 3, connect retry and the wait after an error as the gateway
/// uses them (5 s scaled).
DaemonTimers daemon_timers(const GatewayPlan& plan, const BgpNeighborPlan& n);

/// Whether the node installs several equal paths (ECMP). cloud-facts: "ECMP" not on a VGW
/// [A-ROUTE]; Azure active/active spreads flows over all tunnels [Z-AA] (as gateway.cpp).
inline bool uses_ecmp(const GatewayPlan& plan) {
  return plan.cloud == Cloud::azure;
}

struct NodeRoute {
  std::string network, next_hop, as_path, origin = "IGP";  // origin: IGP | EGP | INCOMPLETE
  std::optional<std::uint32_t> med, local_pref;
  bool best = false, stale = false;
  std::string source = "local";  // the peer address it came from, or "local"
};

struct NodePeer {
  std::string neighbor, local_address;
  std::int64_t asn = 0;
  std::string bgp_state = "Idle";  // RFC 4271 spelling: Idle, Connect, Active, OpenSent, ...
  bool stopped = false;            // administratively down
  std::string last_transition;     // the daemon's words for the last state change
  std::int64_t connected_s = 0;
  std::uint64_t routes_received = 0;
  std::optional<std::uint64_t> messages_sent, messages_received;  // BIRD does not count them
  std::int64_t hold_s = 0, keepalive_s = 0;                       // negotiated; 0 if not up
  std::optional<std::string> last_error;
  std::vector<NodeRoute> learned, advertised;
};

struct NodeBgp {
  std::int64_t asn = 0;
  std::string router_id;
  std::vector<NodePeer> peers;
  std::vector<NodeRoute> loc_rib;
};

/// The gateway status "bgp" member for a node: the same keys as bgp::to_json (peers with
/// neighbor, asn, state Connected/Connecting/Idle/Stopped, connectedDuration d.hh:mm:ss,
/// routesReceived, messagesSent/Received, awsStatus "UP"/"DOWN", awsStatusMessage
/// "N BGP ROUTES" - cloud-facts §2.4 [Z-DIAG], §1.4 [A-CLI]; locRib), plus "implementation".
nlohmann::json node_bgp_json(const NodeBgp& bgp, const std::string& implementation);

/// The plan's neighbour for a peer address, or nullptr.
const BgpNeighborPlan* neighbor_of(const GatewayPlan& plan, const std::string& peer);

}  // namespace vpnlab::topology::nodes
