#include "topology/nodes/bgp_node.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vpnlab::topology::nodes {
namespace {

std::int64_t scaled(std::int64_t seconds, double factor, std::int64_t minimum) {
  auto v = static_cast<std::int64_t>(std::llround(static_cast<double>(seconds) * factor));
  return std::max(v, minimum);
}

// cloud-facts "Peer state values" [Z-API]: Azure shows Connected / Connecting / Idle /
// Stopped for what RFC 4271 calls Established / Connect..OpenConfirm / Idle.
const char* azure_state(const NodePeer& p) {
  if (p.stopped) return "Stopped";
  if (p.bgp_state == "Established") return "Connected";
  if (p.bgp_state == "Idle") return "Idle";
  return "Connecting";
}

// Azure's connectedDuration, days.hh:mm:ss [Z-DIAG].
std::string duration_text(std::int64_t s) {
  char text[48];
  std::snprintf(text, sizeof text, "%lld.%02lld:%02lld:%02lld", static_cast<long long>(s / 86400),
                static_cast<long long>(s % 86400 / 3600), static_cast<long long>(s % 3600 / 60),
                static_cast<long long>(s % 60));
  return text;
}

nlohmann::json route_json(const NodeRoute& r) {
  nlohmann::json j = {
      {"network", r.network}, {"nextHop", r.next_hop}, {"asPath", r.as_path}, {"origin", r.origin}};
  if (r.med) j["med"] = *r.med;
  if (r.local_pref) j["localPref"] = *r.local_pref;
  j["best"] = r.best;
  j["stale"] = r.stale;
  j["sourcePeer"] = r.source;
  return j;
}

nlohmann::json routes_json(const std::vector<NodeRoute>& routes) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : routes) a.push_back(route_json(r));
  return a;
}

nlohmann::json peer_json(const NodePeer& p) {
  const bool up = p.bgp_state == "Established";
  nlohmann::json j = {{"neighbor", p.neighbor},
                      {"localAddress", p.local_address},
                      {"asn", p.asn},
                      {"state", azure_state(p)},
                      {"bgpState", p.bgp_state},
                      {"lastTransitionReason", p.last_transition},
                      {"connectedDuration", duration_text(up ? p.connected_s : 0)},
                      {"connectedSeconds", up ? p.connected_s : 0},
                      {"routesReceived", p.routes_received}};
  // A count the daemon does not keep is left out (readers default it), never invented.
  if (p.messages_sent) j["messagesSent"] = *p.messages_sent;
  if (p.messages_received) j["messagesReceived"] = *p.messages_received;
  j["holdTime"] = p.hold_s;
  j["keepaliveTime"] = p.keepalive_s;
  j["lastError"] = p.last_error ? nlohmann::json(*p.last_error) : nlohmann::json();
  // cloud-facts "StatusMessage examples": "N BGP ROUTES" when up [A-CLI, X-XML].
  j["awsStatus"] = up ? "UP" : "DOWN";
  j["awsStatusMessage"] = up ? std::to_string(p.routes_received) + " BGP ROUTES" : "";
  j["learnedRoutes"] = routes_json(p.learned);
  j["advertisedRoutes"] = routes_json(p.advertised);
  return j;
}

}  // namespace

DaemonTimers daemon_timers(const GatewayPlan& plan, const BgpNeighborPlan& n) {
  DaemonTimers t;
  const double f = plan.time_factor > 0 ? plan.time_factor : 1.0;
  t.hold_s = scaled(n.hold_time_s, f, 3);
  t.keepalive_s = std::clamp<std::int64_t>(scaled(n.keepalive_s, f, 1), 1, t.hold_s / 3);
  t.connect_retry_s = scaled(5, f, 1);
  t.error_wait_s = scaled(5, f, 1);
  return t;
}

nlohmann::json node_bgp_json(const NodeBgp& bgp, const std::string& implementation) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : bgp.peers) peers.push_back(peer_json(p));
  return {{"asn", bgp.asn},
          {"routerId", bgp.router_id},
          {"implementation", implementation},
          {"peers", peers},
          {"locRib", routes_json(bgp.loc_rib)}};
}

const BgpNeighborPlan* neighbor_of(const GatewayPlan& plan, const std::string& peer) {
  for (const auto& n : plan.bgp_neighbors) {
    if (n.peer.to_string() == peer) return &n;
  }
  return nullptr;
}

}  // namespace vpnlab::topology::nodes
