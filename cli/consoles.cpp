#include "cli/consoles.hpp"

#include <cstdio>

#include "cli/sas_text.hpp"
#include "topology/status_lines.hpp"

namespace vpnlab::cli {
namespace {

using nlohmann::json;

const json* find_tunnel(const json& gw, const std::string& key, const std::string& value) {
  if (!gw.is_object() || !gw.contains("tunnels")) return nullptr;
  for (const auto& t : gw["tunnels"]) {
    if (t.value(key, "") == value) return &t;
  }
  return nullptr;
}

std::uint64_t counter(const json& t, const char* name) {
  if (!t.contains("counters") || !t["counters"].contains(name)) return 0;
  return t["counters"][name].get<std::uint64_t>();
}

// BGP routes accepted on a tunnel's session, from the gateway's BGP status if it has one.
std::optional<json> bgp_peer(const json& gw, const std::string& peer_address) {
  if (!gw.is_object() || !gw.contains("bgp") || !gw["bgp"].is_object()) return std::nullopt;
  for (const auto& p : gw["bgp"].value("peers", json::array())) {
    if (p.value("neighbor", "") == peer_address) return p;
  }
  return std::nullopt;
}

json azure_view(const topology::Lab& lab, const json& gws) {
  json connections = json::array();
  for (const auto& c : lab.azure.connections) {
    // cloud-facts §2.6: connectionStatus Unknown / Connecting / Connected / NotConnected, with
    // one tunnelConnectionStatus entry per instance in active/active [Z-API].
    json entry = {{"name", c.name},
                  {"connectionStatus", "Unknown"},
                  {"ingressBytesTransferred", 0},
                  {"egressBytesTransferred", 0},
                  {"connectionMode", c.connection_mode},
                  {"tunnelConnectionStatus", json::array()}};
    int instances = lab.azure.gateway.active_active ? 2 : 1;
    bool any_up = false, any_known = false;
    for (int i = 0; i < instances; ++i) {
      const json& gw = gws.value("azure-gw" + std::to_string(i), json());
      const json* t = find_tunnel(gw, "azure_connection", c.name);
      std::string tunnel_name = lab.azure.gateway.public_ips.size() > static_cast<std::size_t>(i)
                                    ? lab.azure.gateway.public_ips[i]
                                    : "instance" + std::to_string(i);
      json health = {{"tunnel", c.name + "_" + tunnel_name},
                     {"connectionStatus", "NotConnected"},
                     {"ingressBytesTransferred", 0},
                     {"egressBytesTransferred", 0}};
      if (gw.is_object()) any_known = true;
      if (t) {
        bool up = t->value("status", "") == "UP";
        any_up = any_up || up;
        health["connectionStatus"] = up ? "Connected" : "NotConnected";
        health["ingressBytesTransferred"] = counter(*t, "dp.rx.bytes");
        health["egressBytesTransferred"] = counter(*t, "dp.tx.bytes");
        if (up) health["lastConnectionEstablishedUtcTime"] = t->value("last_status_change", "");
        entry["ingressBytesTransferred"] =
            entry["ingressBytesTransferred"].get<std::uint64_t>() + counter(*t, "dp.rx.bytes");
        entry["egressBytesTransferred"] =
            entry["egressBytesTransferred"].get<std::uint64_t>() + counter(*t, "dp.tx.bytes");
        if (!t->value("last_error", "").empty()) entry["lastError"] = t->value("last_error", "");
      }
      entry["tunnelConnectionStatus"].push_back(health);
    }
    if (any_known) entry["connectionStatus"] = any_up ? "Connected" : "NotConnected";
    connections.push_back(entry);
  }
  json peers = json::array();
  for (int i = 0; i < 2; ++i) {
    const json& gw = gws.value("azure-gw" + std::to_string(i), json());
    if (gw.is_object() && gw.contains("bgp") && gw["bgp"].is_object()) {
      for (const auto& p : gw["bgp"].value("peers", json::array())) peers.push_back(p);
    }
  }
  return {{"virtualNetworkGateway", lab.azure.gateway.name},
          {"resourceGroup", lab.azure.resource_group},
          {"connections", connections},
          {"bgpPeerStatus", peers}};
}

json aws_view(const topology::Lab& lab, const json& gws) {
  const json& gw = gws.value("aws-vgw", json());
  json vpns = json::array();
  for (const auto& vpn : lab.aws.vpn_connections) {
    json telemetry = json::array();
    for (std::size_t n = 1; n <= vpn.tunnels.size(); ++n) {
      const json* t = find_tunnel(gw, "name", vpn.name + ".tunnel" + std::to_string(n));
      json tel = {{"OutsideIpAddress", t ? t->value("outside_local", "") : ""},
                  {"TunnelInsideCidr", vpn.tunnels[n - 1].inside_cidr},
                  {"Status", "DOWN"},
                  {"StatusMessage", "IPSEC IS DOWN"},
                  {"AcceptedRouteCount", 0}};
      // cloud-facts §1.4: StatusMessage "N BGP ROUTES" when up, "IPSEC IS DOWN" when down;
      // CloudWatch TunnelState for a BGP VPN is 1 only when BGP is ESTABLISHED [A-TEL, A-CW].
      int tunnel_state = 0;
      if (t && t->value("status", "") == "UP") {
        auto peer = bgp_peer(gw, t->value("inside_remote", ""));
        std::uint64_t routes = peer ? peer->value("routesReceived", 0) : 0;
        tel["Status"] = "UP";
        tel["AcceptedRouteCount"] = routes;
        tel["StatusMessage"] = std::to_string(routes) + " BGP ROUTES";
        tunnel_state =
            (peer && peer->value("state", "") == "Connected") || vpn.routing == "static" ? 1 : 0;
      }
      if (t) {
        if (!t->value("last_error", "").empty()) tel["LastError"] = t->value("last_error", "");
        auto peer = bgp_peer(gw, t->value("inside_remote", ""));
        if (std::string e = peer ? topology::bgp_last_error_text(*peer) : ""; !e.empty())
          tel["BgpLastError"] = e;
        tel["LastStatusChange"] = t->value("last_status_change", "");
        tel["TunnelDataIn"] = counter(*t, "dp.rx.bytes");
        tel["TunnelDataOut"] = counter(*t, "dp.tx.bytes");
      }
      tel["TunnelState"] = tunnel_state;
      telemetry.push_back(tel);
    }
    vpns.push_back({{"VpnConnection", vpn.name},
                    {"CustomerGateway", vpn.customer_gateway},
                    {"VgwTelemetry", telemetry}});
  }
  return {{"VirtualPrivateGateway", lab.aws.virtual_private_gateway.name},
          {"VpnConnections", vpns}};
}

// Which raw ESP path each vpnlab gateway runs (lab.esp_transport), and why af_packet fell
// back where it did: not a cloud console field, the lab's own.
json esp_transports(const json& gws) {
  json out = json::object();
  if (!gws.is_object()) return out;
  for (const auto& [node, gw] : gws.items()) {
    if (!gw.is_object() || !gw.contains("esp_transport")) continue;
    json e = {{"transport", gw.value("esp_transport", "")},
              {"requested", gw.value("esp_transport_requested", "")}};
    if (!gw.value("esp_transport_fallback", "").empty())
      e["fallback"] = gw.value("esp_transport_fallback", "");
    out[node] = e;
  }
  return out;
}

}  // namespace

json merge_consoles(const topology::Lab& lab, const json& gateways) {
  return {{"lab", lab.lab.name},
          {"keying", lab.lab.keying},
          {"time_factor", lab.lab.time_factor},
          {"esp_transport", esp_transports(gateways)},
          {"azure", azure_view(lab, gateways)},
          {"aws", aws_view(lab, gateways)}};
}

std::string render_consoles(const json& m) {
  std::string out;
  char line[512];
  const json& az = m["azure"];
  const json recovery = m.value("recovery", json::array());
  std::snprintf(line, sizeof line, "Azure  %s (resource group %s) - Connections\n",
                az.value("virtualNetworkGateway", "").c_str(),
                az.value("resourceGroup", "").c_str());
  out += line;
  std::snprintf(line, sizeof line, "  %-24s %-13s %-14s %14s %14s\n", "Name", "Status", "Mode",
                "Ingress bytes", "Egress bytes");
  out += line;
  for (const auto& c : az["connections"]) {
    std::snprintf(line, sizeof line, "  %-24s %-13s %-14s %14llu %14llu\n",
                  c.value("name", "").c_str(), c.value("connectionStatus", "").c_str(),
                  c.value("connectionMode", "").c_str(),
                  static_cast<unsigned long long>(c.value("ingressBytesTransferred", 0ull)),
                  static_cast<unsigned long long>(c.value("egressBytesTransferred", 0ull)));
    out += line;
    if (c.contains("lastError"))
      out += "      last error: " + c["lastError"].get<std::string>() + "\n";
    out += recovery_note(recovery, "azure_connection", c.value("name", ""), "      ");
  }
  out += "  BGP peers\n";
  if (az["bgpPeerStatus"].empty()) out += "    (no BGP speaker in this build)\n";
  for (const auto& p : az["bgpPeerStatus"]) {
    std::snprintf(
        line, sizeof line, "    %-15s AS %-6llu %-11s %-18s routes %-5llu msgs %llu/%llu\n",
        p.value("neighbor", "").c_str(), static_cast<unsigned long long>(p.value("asn", 0ull)),
        p.value("state", "").c_str(), p.value("connectedDuration", "").c_str(),
        static_cast<unsigned long long>(p.value("routesReceived", 0ull)),
        static_cast<unsigned long long>(p.value("messagesSent", 0ull)),
        static_cast<unsigned long long>(p.value("messagesReceived", 0ull)));
    out += line;
    // Issue 11: the peer's last NOTIFICATION, decoded (it was only in --json).
    if (auto e = topology::bgp_last_error_text(p); !e.empty())
      out += "      last error: " + e + "\n";
  }
  const json& aws = m["aws"];
  out += "\nAWS  " + aws.value("VirtualPrivateGateway", "") +
         " - Site-to-Site VPN connections, tunnel details\n";
  for (const auto& v : aws["VpnConnections"]) {
    std::string vpn = v.value("VpnConnection", "");
    out += "  " + vpn + " (customer gateway " + v.value("CustomerGateway", "") + ")\n";
    int n = 1;
    for (const auto& t : v["VgwTelemetry"]) {
      std::snprintf(line, sizeof line, "    Tunnel %d  %-15s %-17s %-5s %-16s %s\n", n++,
                    t.value("OutsideIpAddress", "").c_str(),
                    t.value("TunnelInsideCidr", "").c_str(), t.value("Status", "").c_str(),
                    t.value("StatusMessage", "").c_str(), t.value("LastStatusChange", "").c_str());
      out += line;
      if (t.contains("LastError"))
        out += "              last error: " + t["LastError"].get<std::string>() + "\n";
      out += recovery_note(recovery, "aws_tunnel", vpn + ".tunnel" + std::to_string(n - 1),
                           "              ");
      if (t.contains("BgpLastError"))
        out += "              BGP last error: " + t["BgpLastError"].get<std::string>() + "\n";
    }
  }
  if (m.contains("esp_transport") && !m["esp_transport"].empty()) {
    out += "\nESP transport (raw ESP between the clouds):";
    for (const auto& [node, e] : m["esp_transport"].items()) {
      out += " " + node + " " + e.value("transport", "");
      if (e.contains("fallback"))
        out += " (af_packet did not start: " + e.value("fallback", "") + ")";
      out += ";";
    }
    out.back() = '\n';
  }
  if (m.value("keying", "") == "manual")
    out += "\n(keying: manual - SAs derived from the PSKs, no IKE)\n";
  if (m.value("time_factor", 1.0) != 1.0) {
    out += "(time factor " + std::to_string(m.value("time_factor", 1.0)) + ": timers scaled)\n";
  }
  return out;
}

}  // namespace vpnlab::cli
