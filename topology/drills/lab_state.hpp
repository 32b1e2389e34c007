#pragma once
// The lab's tunnels and BGP sessions as the gateways' status documents show them, and the
// changes between two readings: the raw material of a drill's timeline. Pure (no sockets):
// event_watcher.hpp polls the gateways and feeds these.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "topology/drills/report.hpp"

namespace vpnlab::topology::drills {

struct TunnelView {
  bool up = false;
  std::string last_error;
};
struct PeerView {
  bool established = false;
  std::string state, last_error, reason;  // bgpState, lastError, lastTransitionReason
};
struct GatewayView {
  bool answering = false;
  std::string started;  // the process's start time: a new one means it was restarted
  std::map<std::string, TunnelView> tunnels;  // by device
  std::map<std::string, PeerView> peers;      // by neighbor address
};
using LabState = std::map<std::string, GatewayView>;  // by node

/// One gateway's view from its status document (null / not an object: not answering).
GatewayView gateway_view(const nlohmann::json& status);

/// What detected a tunnel going down, from its last error (the gateway's own words); "" when
/// this end took it down itself (the drill acting), which is no detection.
std::string tunnel_mechanism(const std::string& last_error);
/// What ended a BGP session, from its last error and transition reason.
std::string bgp_mechanism(const std::string& last_error, const std::string& reason);

/// The changes from `before` to `after`, stamped at_ms. A node missing from `before` is
/// compared with an all-down view; a node skipped while faulted is not in `after`.
std::vector<DrillEvent> diff(const LabState& before, const LabState& after, double at_ms);

/// Every gateway answering, every tunnel UP, every BGP session Established.
bool all_back(const LabState& s);
/// What is not back, with each one's last error.
std::vector<NotBack> not_back(const LabState& s);

}  // namespace vpnlab::topology::drills
