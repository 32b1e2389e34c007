// BIRD 2.0.12's birdc text (`show protocols all`, `show route all`, `show route export P
// all`) mapped to vpnlab's gateway "bgp" shape. The formats are BIRD's (proto/bgp/bgp.c
// bgp_show_proto_info, nest/rt-show.c); samples captured from real bird are in
// tests/unit/topology/data/nodes/.
#include <cstdlib>
#include <sstream>

#include "topology/nodes/bgp_node.hpp"
#include "topology/nodes/bird.hpp"

namespace vpnlab::topology::nodes {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

struct Protocol {
  std::string name, kind, state, since, info;
  std::map<std::string, std::string> fields;  // "BGP state" -> "Established", first one wins
};

std::vector<Protocol> parse_protocols(const std::string& text) {
  std::vector<Protocol> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("BIRD ", 0) == 0 || line.rfind("Name ", 0) == 0) continue;
    if (line[0] != ' ' && line[0] != '\t') {
      Protocol p;
      std::istringstream cols(line);
      std::string table;
      cols >> p.name >> p.kind >> table >> p.state >> p.since;
      std::getline(cols, p.info);
      p.info = trim(p.info);
      out.push_back(std::move(p));
      continue;
    }
    auto colon = line.find(':');
    if (out.empty() || colon == std::string::npos) continue;
    out.back().fields.emplace(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return out;
}

struct BirdRoute {
  NodeRoute route;
  std::string protocol;
};

void route_attribute(const std::string& line, NodeRoute& r) {
  auto colon = line.find(':');
  std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
  if (line.rfind("via ", 0) == 0 && r.next_hop.empty()) {
    std::istringstream words(line.substr(4));
    words >> r.next_hop;
  } else if (colon == std::string::npos) {
    return;
  } else if (key == "BGP.origin") {
    r.origin = value == "IGP" ? "IGP" : value == "EGP" ? "EGP" : "INCOMPLETE";
  } else if (key == "BGP.as_path") {
    r.as_path = value;
  } else if (key == "BGP.med") {
    r.med = static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
  } else if (key == "BGP.local_pref") {
    r.local_pref = static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
  }
}

// One route per header line "<net> <type> [<protocol> <time>] * (<pref>) ..."; a header
// without a network (indented) is another route for the previous network.
std::vector<BirdRoute> parse_routes(const std::string& text) {
  std::vector<BirdRoute> out;
  std::istringstream in(text);
  std::string line, network;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("BIRD ", 0) == 0 || line.rfind("Table ", 0) == 0) continue;
    auto open = line.find('[');
    if (line[0] == '\t' || open == std::string::npos) {
      if (!out.empty()) route_attribute(trim(line), out.back().route);
      continue;
    }
    if (line[0] != ' ') network = line.substr(0, line.find(' '));
    auto close = line.find(']', open);
    if (close == std::string::npos) continue;
    BirdRoute r;
    r.route.network = network;
    r.protocol = line.substr(open + 1, line.find(' ', open) - open - 1);
    r.route.best = trim(line.substr(close + 1)).rfind('*', 0) == 0;
    r.route.origin = "IGP";  // a static route of this node
    out.push_back(std::move(r));
  }
  return out;
}

std::string rfc_state(const std::string& bird) {
  // BIRD adds "Close" and "Down" (protocol shut down) to RFC 4271's states.
  return bird == "Close" || bird == "Down" || bird.empty() ? "Idle" : bird;
}

std::int64_t after_slash(const std::string& timer) {  // "14.092/18" -> 18
  auto slash = timer.find('/');
  return slash == std::string::npos ? 0 : std::atoll(timer.c_str() + slash + 1);
}

NodePeer peer_of(const Protocol& p, const GatewayPlan& plan, std::int64_t now) {
  NodePeer peer;
  auto field = [&](const char* key) {
    auto it = p.fields.find(key);
    return it == p.fields.end() ? std::string() : it->second;
  };
  std::string address = field("Neighbor address");
  peer.neighbor = address.substr(0, address.find('%'));  // "169.254.21.2%aws0t1"
  const BgpNeighborPlan* planned = neighbor_of(plan, peer.neighbor);
  peer.local_address = field("Source address");
  if (peer.local_address.empty() && planned) peer.local_address = planned->local.to_string();
  peer.asn = std::atoll(field("Neighbor AS").c_str());
  const std::string bgp_state = field("BGP state");
  peer.bgp_state = rfc_state(bgp_state);
  peer.stopped = bgp_state == "Down";  // disabled (birdc disable)
  peer.last_transition = p.info;
  if (peer.bgp_state == "Established") {
    peer.connected_s = std::max<std::int64_t>(0, now - std::atoll(p.since.c_str()));
    peer.hold_s = after_slash(field("Hold timer"));
    peer.keepalive_s = after_slash(field("Keepalive timer"));
    peer.routes_received = std::strtoull(field("Routes").c_str(), nullptr, 10);  // "N imported"
  }
  if (std::string e = field("Last error"); !e.empty()) peer.last_error = e;
  return peer;
}

}  // namespace

nlohmann::json bird_status_from(const BirdShow& show, const GatewayPlan& plan,
                                std::int64_t now_epoch_s) {
  NodeBgp bgp;
  bgp.asn = plan.asn;
  bgp.router_id = plan.router_id.to_string();
  std::map<std::string, std::size_t> by_protocol;
  for (const auto& p : parse_protocols(show.protocols)) {
    if (p.kind != "BGP") continue;
    by_protocol[p.name] = bgp.peers.size();
    bgp.peers.push_back(peer_of(p, plan, now_epoch_s));
  }
  if (bgp.peers.empty() && !plan.bgp_neighbors.empty()) {
    return {{"implementation", "bird"},
            {"error", "no BGP protocol in bird's `show protocols all`"},
            {"peers", nlohmann::json::array()},
            {"locRib", nlohmann::json::array()}};
  }
  for (auto& r : parse_routes(show.routes)) {
    auto it = by_protocol.find(r.protocol);
    NodePeer* from = it == by_protocol.end() ? nullptr : &bgp.peers[it->second];
    r.route.source = from ? from->neighbor : "local";
    if (!from) r.route.next_hop.clear();  // the node's own (static blackhole) prefix
    if (r.route.best) bgp.loc_rib.push_back(r.route);
    if (from) from->learned.push_back(r.route);
  }
  for (const auto& [name, text] : show.exported) {
    auto it = by_protocol.find(name);
    if (it == by_protocol.end()) continue;
    NodePeer& peer = bgp.peers[it->second];
    for (auto& r : parse_routes(text)) {
      // On eBGP the next hop on the wire is the session's local address (RFC 4271 5.1.3).
      r.route.next_hop = peer.local_address;
      r.route.source = "local";
      peer.advertised.push_back(r.route);
    }
  }
  return node_bgp_json(bgp, "bird");
}

}  // namespace vpnlab::topology::nodes
