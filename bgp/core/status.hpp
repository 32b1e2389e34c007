#pragma once
// Status view of a speaker: peers table and per-peer learned/advertised routes, as plain
// structs and JSON, shaped so the CLI can render the Azure peer-status view (neighbor, asn,
// state Connected/Connecting/Idle/Stopped, connectedDuration, routesReceived, messagesSent,
// messagesReceived — cloud-facts §2.4 [Z-DIAG]) and AWS VgwTelemetry (UP/DOWN,
// "N BGP ROUTES" — cloud-facts §1.4 [A-CLI]).

#include <optional>
#include <string>
#include <vector>

#include "bgp/core/fsm_types.hpp"

namespace vpnlab::bgp {

struct RouteView {
  Ipv4Prefix prefix;
  std::optional<Ipv4Address> next_hop;
  std::string as_path;
  Origin origin = Origin::igp;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool best = false;
  bool stale = false;
  std::string source;  // peer address, or "local"
};

struct PeerStatus {
  Ipv4Address peer_address;
  Ipv4Address local_address;
  Asn asn;
  BgpState state = BgpState::idle;
  bool stopped = false;  // administratively stopped
  TransitionReason last_reason = TransitionReason::none;
  Seconds connected_duration{0};
  std::size_t routes_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  std::optional<LastError> last_error;
  Seconds hold_time{0};
  Seconds keepalive_time{0};
  std::vector<RouteView> learned;
  std::vector<RouteView> advertised;
};

struct Status {
  Asn asn;
  Ipv4Address router_id;
  std::vector<PeerStatus> peers;
  std::vector<RouteView> loc_rib;
};

/// Azure's peer `state` value: Connected / Connecting / Idle / Stopped (cloud-facts §2.4
/// "Peer state values" [Z-API]).
const char* azure_state(const PeerStatus& p);
/// Azure's `connectedDuration` format, e.g. "9.01:04:53" (days.hh:mm:ss) [Z-DIAG].
std::string azure_duration(Seconds d);
/// AWS VgwTelemetry Status/StatusMessage: "UP" + "N BGP ROUTES" when Established
/// (cloud-facts: "StatusMessage examples" [A-CLI, X-XML]).
std::string aws_status(const PeerStatus& p);
std::string aws_status_message(const PeerStatus& p);

std::string to_json(const Status& s);

}  // namespace vpnlab::bgp
