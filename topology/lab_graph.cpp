// Stage map: clusters of namespaces (Azure, internet, AWS) -> underlay links -> per AWS-side
// tunnel: the IPsec edge (both ends' tunnel status) and the BGP edge (the Azure end's peer).
#include "topology/lab_graph.hpp"

#include <set>

namespace vpnlab::topology {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRoutesShown = 6;

// DOT double-quoted string (graphviz "lang": \" escapes a quote; \n is a centred line break).
std::string q(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string role_of(const UnderlayPlan& u, const std::string& netns) {
  for (const auto& n : u.nodes) {
    if (n.netns == netns) return n.role;
  }
  return netns;
}

enum class Cloud3 { azure, internet, aws };
Cloud3 cloud_of(const std::string& role) {
  if (role.rfind("azure", 0) == 0 || role.rfind("vnet", 0) == 0) return Cloud3::azure;
  if (role.rfind("aws", 0) == 0 || role.rfind("vpc", 0) == 0) return Cloud3::aws;
  return Cloud3::internet;
}

const json& gateway_doc(const json& status, const std::string& node) {
  static const json kNull;
  if (!status.is_object() || !status.contains("gateways")) return kNull;
  const json& gws = status["gateways"];
  return gws.is_object() && gws.contains(node) ? gws[node] : kNull;
}

// obj[key] by reference (find_by hands out pointers into it), null when absent.
const json& member(const json& obj, const char* key) {
  static const json kNull;
  return obj.is_object() && obj.contains(key) ? obj[key] : kNull;
}

const json* find_by(const json& arr, const char* key, const std::string& value) {
  if (!arr.is_array()) return nullptr;
  for (const auto& e : arr) {
    if (e.is_object() && e.value(key, "") == value) return &e;
  }
  return nullptr;
}

const json& peers_of(const json& gw) {
  static const json kEmpty = json::array();
  const json& p = member(member(gw, "bgp"), "peers");
  return p.is_array() ? p : kEmpty;
}

// Prefixes a gateway learned over BGP (every peer, each once): "routes per instance".
std::string learned_routes(const json& gw) {
  std::set<std::string> prefixes;
  for (const auto& p : peers_of(gw)) {
    for (const auto& r : p.value("learnedRoutes", json::array())) {
      if (r.is_object()) prefixes.insert(r.value("network", ""));
    }
  }
  if (prefixes.empty()) return "learned: none";
  std::string out = "learned:";
  std::size_t n = 0;
  for (const auto& p : prefixes) {
    if (n++ == kMaxRoutesShown) {
      out += "\n... " + std::to_string(prefixes.size() - kMaxRoutesShown) + " more";
      break;
    }
    out += "\n" + p;
  }
  return out;
}

std::string node_label(const NodePlan& n, const LabPlan& plan, const json& status) {
  std::string label = n.role + "\n" + n.netns;
  for (const auto& g : plan.gateways) {
    if (g.node != n.role) continue;
    label += "\n" + g.display_name + "  AS " + std::to_string(g.asn);
    for (const auto& a : g.public_addresses) label += "\n" + a.to_string();
    if (!status.is_object()) return label;
    const json& gw = gateway_doc(status, g.node);
    if (!gw.is_object()) return label + "\nNOT ANSWERING (down or restarting)";
    return label + "\n" + learned_routes(gw);
  }
  return label;
}

// "Azure  VNet1GW  AS 65000  announces 10.1.0.0/16": the cloud's gateway and what it announces.
std::string cluster_label(const char* cloud, Cloud3 which, const LabPlan& plan) {
  std::string label = cloud;
  for (const auto& g : plan.gateways) {
    if (cloud_of(g.node) != which) continue;
    // "VNet1GW (instance 0)" names one instance; the cluster is the gateway.
    label += "  " + g.display_name.substr(0, g.display_name.find(" (")) + "  AS " +
             std::to_string(g.asn) + "  announces";
    for (std::size_t i = 0; i < g.announce.size() && i < 2; ++i)
      label += " " + g.announce[i].to_string();
    if (g.announce.size() > 2) label += " +" + std::to_string(g.announce.size() - 2) + " more";
    break;
  }
  return label;
}

void cluster(std::string& out, Cloud3 which, const char* name, const std::string& label,
             const char* colour, const LabPlan& plan, const json& status) {
  out += std::string("  subgraph cluster_") + name + " {\n    label=" + q(label) +
         "; color=" + q(colour) + "; fontcolor=" + q(colour) + ";\n";
  for (const auto& n : plan.underlay.nodes) {
    if (cloud_of(n.role) != which) continue;
    bool gateway = false;
    for (const auto& g : plan.gateways) gateway = gateway || g.node == n.role;
    bool silent = gateway && status.is_object() && !gateway_doc(status, n.role).is_object();
    out += "    " + q(n.role) + " [label=" + q(node_label(n, plan, status));
    if (gateway) out += ", penwidth=2";
    if (silent) out += ", fillcolor=\"#ffcdd2\"";
    out += "];\n";
  }
  out += "  }\n";
}

void underlay_edges(std::string& out, const UnderlayPlan& u) {
  for (const auto& l : u.links) {
    auto ends = [](const LinkEnd& e) {
      return e.addresses.empty() ? e.device : e.device + " " + e.addresses.front();
    };
    out += "  " + q(role_of(u, l.a.netns)) + " -- " + q(role_of(u, l.b.netns)) +
           " [label=" + q(ends(l.a) + "\n" + ends(l.b)) +
           ", color=\"#607d8b\", fontcolor=\"#607d8b\", fontsize=8];\n";
  }
}

const char* status_or(const json* t) {
  return t ? (t->value("status", "") == "UP" ? "UP" : "DOWN") : "unknown";
}

// Both ends' view of the tunnel: UP on both is up, DOWN on both down, else partial.
EdgeState tunnel_state(const json* a, const json* b) {
  if (!a || !b) return EdgeState::unknown;
  bool ua = a->value("status", "") == "UP", ub = b->value("status", "") == "UP";
  if (ua && ub) return EdgeState::up;
  if (!ua && !ub) return EdgeState::down;
  return EdgeState::partial;
}

// RFC 4271 §8.2.2: Established is up, Idle down, the states between are connecting.
EdgeState bgp_state(const json* peer) {
  if (!peer) return EdgeState::unknown;
  std::string s = peer->value("bgpState", peer->value("state", ""));
  if (s == "Established" || s == "Connected") return EdgeState::up;
  if (s == "Idle" || s == "Stopped" || s.empty()) return EdgeState::down;
  return EdgeState::partial;
}

std::string edge(const std::string& a, const std::string& b, const std::string& id,
                 const std::string& label, EdgeState s, const char* style) {
  return "  " + q(a) + " -- " + q(b) + " [id=" + q(id) + ", label=" + q(label) +
         ", color=" + q(edge_colour(s)) + ", fontcolor=" + q(edge_colour(s)) +
         ", penwidth=2.5, style=" + style + "];\n";
}

void tunnel_edges(std::string& out, const LabPlan& plan, const json& status) {
  for (const auto& az : plan.gateways) {
    if (az.cloud != Cloud::azure) continue;
    const json& azdoc = gateway_doc(status, az.node);
    for (const auto& t : az.tunnels) {
      const GatewayPlan* aws = nullptr;
      for (const auto& g : plan.gateways) {
        for (const auto& o : g.tunnels) {
          if (g.cloud == Cloud::aws && o.device == t.device) aws = &g;
        }
      }
      std::string far = aws ? aws->node : t.remote_outside.to_string();
      const json* a = find_by(member(azdoc, "tunnels"), "device", t.device);
      const json* b =
          aws ? find_by(member(gateway_doc(status, aws->node), "tunnels"), "device", t.device)
              : nullptr;
      EdgeState s = tunnel_state(a, b);
      std::string label = "IPsec " + t.device + "  " + t.name + "\n" + t.local_outside.to_string() +
                          " - " + t.remote_outside.to_string() + "\nAzure " + status_or(a) +
                          " / AWS " + status_or(b);
      out += edge(az.node, far, "tunnel_" + t.device, label, s, "bold");
    }
  }
}

void bgp_edges(std::string& out, const LabPlan& plan, const json& status) {
  for (const auto& az : plan.gateways) {
    if (az.cloud != Cloud::azure) continue;
    const json& peers = peers_of(gateway_doc(status, az.node));
    for (const auto& n : az.bgp_neighbors) {
      std::string far = "aws-vgw";
      for (const auto& g : plan.gateways) {
        for (const auto& t : g.tunnels) {
          if (g.cloud == Cloud::aws && t.device == n.device) far = g.node;
        }
      }
      const json* p = find_by(peers, "neighbor", n.peer.to_string());
      EdgeState s = bgp_state(p);
      std::string label = "BGP " + n.local.to_string() + " - " + n.peer.to_string() + "\nAS " +
                          std::to_string(az.asn) + " - AS " + std::to_string(n.peer_asn) + "\n";
      if (!p) {
        label += "unknown";
      } else {
        label += p->value("bgpState", p->value("state", "?")) + ", routes received " +
                 std::to_string(p->value("routesReceived", 0));
        const json d = p->value("lastErrorDetail", json());
        if (d.is_object())
          label += "\nlast " + d.value("direction", "") + ": " + d.value("name", "");
      }
      out += edge(az.node, far, "bgp_" + n.device, label, s, "dashed");
    }
  }
}

}  // namespace

const char* edge_colour(EdgeState s) {
  switch (s) {
    case EdgeState::up:
      return "#2e7d32";
    case EdgeState::partial:
      return "#ef6c00";
    case EdgeState::down:
      return "#c62828";
    case EdgeState::unknown:
      return "#9e9e9e";
  }
  return "#9e9e9e";
}

std::string lab_dot(const LabPlan& plan, const json& status) {
  std::string title = "vpnlab lab '" + plan.underlay.lab + "'";
  title += status.is_object() ? "" : " (not running: states unknown)";
  if (status.is_object() && status.contains("time")) title += "  " + status.value("time", "");
  std::string out = "graph " + q("vpnlab-" + plan.underlay.lab) + " {\n";
  out += "  graph [label=" + q(title) +
         ", labelloc=t, rankdir=LR, fontname=\"Helvetica\", nodesep=0.6, ranksep=1.4];\n";
  out +=
      "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", "
      "fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
  cluster(out, Cloud3::azure, "azure", cluster_label("Azure", Cloud3::azure, plan), "#0078d4", plan,
          status);
  cluster(out, Cloud3::internet, "internet", "internet (RFC 5737 addresses)", "#607d8b", plan,
          status);
  cluster(out, Cloud3::aws, "aws", cluster_label("AWS", Cloud3::aws, plan), "#ff9900", plan,
          status);
  underlay_edges(out, plan.underlay);
  tunnel_edges(out, plan, status);
  bgp_edges(out, plan, status);
  out += "}\n";
  return out;
}

}  // namespace vpnlab::topology
