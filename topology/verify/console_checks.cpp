#include "topology/verify/console_checks.hpp"

#include "topology/verify/causes.hpp"
#include "topology/verify/evidence.hpp"

namespace vpnlab::topology::verify {
namespace {

using nlohmann::json;

const json& member(const json& j, const char* key) {
  static const json kEmpty = json::array();
  return j.is_object() && j.contains(key) ? j[key] : kEmpty;
}

const TunnelEnds* by_name(const std::vector<TunnelEnds>& ends, const std::string& name) {
  for (const auto& e : ends) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const TunnelEnds* by_connection(const std::vector<TunnelEnds>& ends, const std::string& c) {
  for (const auto& e : ends) {
    if (e.azure && e.azure->value("azure_connection", "") == c) return &e;
  }
  return nullptr;
}

void azure_connections(const Lab& lab, const json& consoles, const std::vector<TunnelEnds>& ends,
                       Report& r) {
  for (const auto& c : member(member(consoles, "azure"), "connections")) {
    std::string name = c.value("name", "");
    std::string status = c.value("connectionStatus", "");
    Check k{"Azure console (part 4)",
            "connection " + name + " Connected",
            status == "Connected",
            status + ", ingress " + std::to_string(c.value("ingressBytesTransferred", 0ull)) +
                " B, egress " + std::to_string(c.value("egressBytesTransferred", 0ull)) + " B",
            {}};
    if (!k.pass) {
      if (const auto* e = by_connection(ends, name)) {
        k.causes = tunnel_causes(lab, *e);
      } else {
        k.causes = {"no Azure instance terminates this connection (its gateway does not answer)"};
      }
    }
    r.add(k);
  }
}

void azure_bgp_peers(const Lab& lab, const LabPlan& plan, const json& gateways,
                     const std::vector<TunnelEnds>& ends, Report& r) {
  for (const auto& g : plan.gateways) {
    if (g.cloud != Cloud::azure) continue;
    const json& gw = node_status(gateways, g.node);
    for (const auto& n : g.bgp_neighbors) {
      const json* p = bgp_peer(gw, n.peer.to_string());
      std::string state = p ? p->value("state", "") : "absent";
      std::uint64_t routes = p ? p->value("routesReceived", 0ull) : 0;
      bool pass = state == "Connected" && routes > 0;
      std::string detail = "state " + state + ", routes received " + std::to_string(routes);
      if (p) {
        detail += ", messages sent/received " + std::to_string(p->value("messagesSent", 0ull)) +
                  "/" + std::to_string(p->value("messagesReceived", 0ull));
      }
      Check k{"Azure console (part 4)",
              "BGP peer " + n.peer.to_string() + " (" + g.node + ") Connected, exchanging routes",
              pass,
              detail,
              {}};
      if (!pass) {
        const TunnelEnds* e = nullptr;
        for (const auto& t : g.tunnels) {
          if (t.device == n.device) e = by_connection(ends, t.name);
        }
        k.causes = e ? bgp_causes(lab, *e, p) : std::vector<std::string>{"no tunnel for this peer"};
      }
      r.add(k);
    }
  }
}

void aws_tunnels(const Lab& lab, const json& consoles, const json& gateways,
                 const std::vector<TunnelEnds>& ends, Report& r) {
  for (const auto& v : member(member(consoles, "aws"), "VpnConnections")) {
    int n = 0;
    for (const auto& t : member(v, "VgwTelemetry")) {
      std::string tunnel = v.value("VpnConnection", "") + ".tunnel" + std::to_string(++n);
      std::string status = t.value("Status", "");
      std::uint64_t routes = t.value("AcceptedRouteCount", 0ull);
      bool pass = status == "UP" && routes > 0;
      Check k{"AWS console (part 4)",
              "tunnel " + tunnel + " UP with BGP routes",
              pass,
              status + ", " + t.value("StatusMessage", "") + ", outside " +
                  t.value("OutsideIpAddress", "") + ", inside " + t.value("TunnelInsideCidr", ""),
              {}};
      if (!pass) {
        const TunnelEnds* e = by_name(ends, tunnel);
        if (!e) {
          k.causes = {"the AWS gateway does not report this tunnel"};
        } else if (!e->up()) {
          k.causes = tunnel_causes(lab, *e);
        } else {
          const json* peer = e->aws ? bgp_peer(node_status(gateways, e->aws_node),
                                               e->aws->value("inside_remote", ""))
                                    : nullptr;
          k.causes = bgp_causes(lab, *e, peer);
        }
      }
      r.add(k);
    }
  }
}

}  // namespace

void console_checks(const Lab& lab, const LabPlan& plan, const json& consoles, const json& gateways,
                    Report& report) {
  auto ends = tunnel_ends(plan, gateways);
  azure_connections(lab, consoles, ends, report);
  azure_bgp_peers(lab, plan, gateways, ends, report);
  aws_tunnels(lab, consoles, gateways, ends, report);
}

}  // namespace vpnlab::topology::verify
