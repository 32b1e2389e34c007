// FRR's JSON (bgpd 8.4 vtysh `show bgp neighbors json`, `show bgp ipv4 unicast json`,
// `... neighbors P advertised-routes json`) mapped to vpnlab's gateway "bgp" shape.
// Field names are FRR's (bgp_vty.c / bgp_route.c); samples captured from real bgpd are in
// tests/unit/topology/data/nodes/.
#include "topology/nodes/bgp_node.hpp"
#include "topology/nodes/frr.hpp"

namespace vpnlab::topology::nodes {
namespace {

using nlohmann::json;

std::string origin_name(const std::string& frr) {
  if (frr == "IGP" || frr == "i") return "IGP";
  if (frr == "EGP" || frr == "e") return "EGP";
  return "INCOMPLETE";  // FRR: "incomplete" / "?"
}

std::string first_next_hop(const json& path) {
  for (const auto& nh : path.value("nexthops", json::array())) {
    if (nh.value("afi", "ipv4") == "ipv4") return nh.value("ip", "");
  }
  return "";
}

NodeRoute route_of(const std::string& prefix, const json& path) {
  NodeRoute r;
  r.network = prefix;
  r.next_hop = first_next_hop(path);
  r.as_path = path.value("path", "");
  r.origin = origin_name(path.value("origin", ""));
  if (path.contains("metric")) r.med = path["metric"].get<std::uint32_t>();
  if (path.contains("locPrf")) r.local_pref = path["locPrf"].get<std::uint32_t>();
  r.best = path.value("bestpath", false);
  r.stale = path.value("stale", false);
  const std::string peer = path.value("peerId", "");
  // A path of this node's own (`network`) has peerId "(unspec)" and next hop 0.0.0.0.
  r.source = peer.empty() || peer == "(unspec)" ? "local" : peer;
  if (r.source == "local") r.next_hop.clear();
  return r;
}

// Loc-RIB: the best path and its ECMP partners ("multipath") of every prefix.
void read_routes(const json& routes, NodeBgp& bgp, std::map<std::string, NodePeer*>& peers) {
  const json table = routes.value("routes", json::object());
  for (const auto& [prefix, paths] : table.items()) {
    for (const auto& path : paths) {
      if (!path.value("valid", false)) continue;
      NodeRoute r = route_of(prefix, path);
      if (r.best || path.value("multipath", false)) bgp.loc_rib.push_back(r);
      auto it = peers.find(r.source);
      if (it != peers.end()) it->second->learned.push_back(r);
    }
  }
}

std::optional<std::string> last_error(const json& n) {
  // FRR keeps lastResetDueTo from its own start-up ("No AFI/SAFI activated for peer"):
  // only a session that was dropped or sent/received a NOTIFICATION has a last error.
  std::string why = n.value("lastResetDueTo", "");
  std::string notification = n.value("lastNotificationReason", "");
  if (!notification.empty()) return why + ": " + notification;
  if (n.value("connectionsDropped", 0) > 0 && !why.empty()) return why;
  return std::nullopt;
}

NodePeer peer_of(const std::string& address, const json& n, const GatewayPlan& plan) {
  NodePeer p;
  p.neighbor = address;
  const BgpNeighborPlan* planned = neighbor_of(plan, address);
  p.local_address = n.value("hostLocal", planned ? planned->local.to_string() : "");
  p.asn = n.value("remoteAs", std::int64_t{0});
  p.bgp_state = n.value("bgpState", "Idle");
  if (p.bgp_state == "Clearing" || p.bgp_state == "Deleted") p.bgp_state = "Idle";
  p.stopped = n.value("adminShutDown", false);
  p.last_transition = n.value("lastResetDueTo", "");
  if (p.bgp_state == "Established") {
    p.connected_s = n.value("bgpTimerUpMsec", std::int64_t{0}) / 1000;
    p.hold_s = n.value("bgpTimerHoldTimeMsecs", std::int64_t{0}) / 1000;
    p.keepalive_s = n.value("bgpTimerKeepAliveIntervalMsecs", std::int64_t{0}) / 1000;
  }
  const json af = n.value("addressFamilyInfo", json::object()).value("ipv4Unicast", json::object());
  p.routes_received = af.value("acceptedPrefixCounter", std::uint64_t{0});
  const json stats = n.value("messageStats", json::object());
  if (stats.contains("totalSent")) p.messages_sent = stats["totalSent"].get<std::uint64_t>();
  if (stats.contains("totalRecv")) p.messages_received = stats["totalRecv"].get<std::uint64_t>();
  p.last_error = last_error(n);
  return p;
}

// Advertised routes: on eBGP the next hop on the wire is the session's local address
// (RFC 4271 5.1.3), which FRR shows as 0.0.0.0.
std::vector<NodeRoute> advertised(const std::string& text, const std::string& local) {
  std::vector<NodeRoute> out;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  const json table = j.value("advertisedRoutes", json::object());
  for (const auto& [prefix, a] : table.items()) {
    NodeRoute r;
    r.network = prefix;
    r.next_hop = local;
    r.as_path = a.value("path", "");
    r.origin = origin_name(a.value("bgpOriginCode", ""));
    if (a.contains("metric")) r.med = a["metric"].get<std::uint32_t>();
    r.best = true;
    out.push_back(r);
  }
  return out;
}

}  // namespace

nlohmann::json frr_status_from(const FrrShow& show, const GatewayPlan& plan) {
  json neighbors = json::parse(show.neighbors, nullptr, false);
  json routes = json::parse(show.routes, nullptr, false);
  if (neighbors.is_discarded() || routes.is_discarded() || !neighbors.is_object()) {
    return {{"implementation", "frr"},
            {"error", "unreadable bgpd output (show bgp neighbors/ipv4 unicast json)"},
            {"peers", json::array()},
            {"locRib", json::array()}};
  }
  NodeBgp bgp;
  bgp.asn = routes.value("localAS", plan.asn);
  bgp.router_id = routes.value("routerId", plan.router_id.to_string());
  for (const auto& [address, n] : neighbors.items()) {
    if (n.is_object()) bgp.peers.push_back(peer_of(address, n, plan));
  }
  std::map<std::string, NodePeer*> by_address;
  for (auto& p : bgp.peers) by_address[p.neighbor] = &p;
  read_routes(routes, bgp, by_address);
  for (auto& p : bgp.peers) {
    auto it = show.advertised.find(p.neighbor);
    if (it != show.advertised.end()) p.advertised = advertised(it->second, p.local_address);
  }
  return node_bgp_json(bgp, "frr");
}

}  // namespace vpnlab::topology::nodes
