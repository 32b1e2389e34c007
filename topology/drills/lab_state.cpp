#include "topology/drills/lab_state.hpp"

namespace vpnlab::topology::drills {
namespace {

bool has(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

// A restarted gateway's tunnels start down: that is not a detection.
constexpr const char* kRestarted = "(gateway restarted)";

void tunnel_events(const std::string& node, const GatewayView& b, const GatewayView& a, double at,
                   bool restarted, std::vector<DrillEvent>& out) {
  for (const auto& [device, t] : a.tunnels) {
    auto it = b.tunnels.find(device);
    bool was_up = it != b.tunnels.end() && it->second.up;
    if (t.up == was_up) continue;
    if (t.up) {
      out.push_back({at, node, device, "tunnel up", "", ""});
    } else if (restarted) {
      out.push_back({at, node, device, "tunnel down", "", kRestarted});
    } else {
      out.push_back(
          {at, node, device, "tunnel down", tunnel_mechanism(t.last_error), t.last_error});
    }
  }
}

void peer_events(const std::string& node, const GatewayView& b, const GatewayView& a, double at,
                 bool restarted, std::vector<DrillEvent>& out) {
  for (const auto& [neighbor, p] : a.peers) {
    auto it = b.peers.find(neighbor);
    bool was = it != b.peers.end() && it->second.established;
    if (p.established == was) continue;
    if (p.established) {
      out.push_back({at, node, neighbor, "bgp up", "", ""});
    } else if (restarted) {
      out.push_back({at, node, neighbor, "bgp down", "", kRestarted});
    } else {
      bool current = has(p.reason, "NOTIFICATION") || p.reason == "hold timer expired";
      std::string detail = current && !p.last_error.empty() ? p.last_error
                           : p.reason == "manual stop"      ? "stopped with its tunnel"
                                                            : p.reason;
      out.push_back(
          {at, node, neighbor, "bgp down", bgp_mechanism(p.last_error, p.reason), detail});
    }
  }
}

}  // namespace

GatewayView gateway_view(const nlohmann::json& status) {
  GatewayView v;
  if (!status.is_object() || !status.contains("tunnels")) return v;
  v.answering = true;
  v.started = status.value("started", "");
  for (const auto& t : status["tunnels"]) {
    v.tunnels[t.value("device", "")] = {t.value("status", "") == "UP", t.value("last_error", "")};
  }
  if (status.contains("bgp") && status["bgp"].is_object()) {
    for (const auto& p : status["bgp"].value("peers", nlohmann::json::array())) {
      PeerView pv;
      pv.state = p.value("bgpState", "");
      pv.established = pv.state == "Established";
      if (p.contains("lastError") && p["lastError"].is_string()) pv.last_error = p["lastError"];
      pv.reason = p.value("lastTransitionReason", "");
      v.peers[p.value("neighbor", "")] = pv;
    }
  }
  return v;
}

// The gateway's last_error texts (topology/gateway/gateway.cpp on_ike_event, take_down).
std::string tunnel_mechanism(const std::string& e) {
  if (has(e, "dead peer detection")) return "DPD";
  if (has(e, "retransmissions gave up")) return "IKE retransmission give-up";
  if (has(e, "drill")) return "";  // the drill's own action at this end, not a detection
  if (has(e, "DELETE") || e.empty()) return "IKE DELETE from the peer";
  return "IKE: " + e;
}

// The transition reason says what just happened; the last error (kept across sessions) is
// read only when the reason says a NOTIFICATION or the hold timer ended this one.
std::string bgp_mechanism(const std::string& e, const std::string& reason) {
  // Stopped because its tunnel went down: the tunnel's own event names the detection.
  if (reason == "manual stop") return "";
  if (reason == "hold timer expired") return "BGP hold timer";
  if (has(reason, "NOTIFICATION")) {
    // A Cease this end sent is its own action (the drill's reset, a maintenance shutdown):
    // the peer that receives it is the one that detects.
    if (has(e, "sent Cease")) return "";
    if (has(e, "Hold Timer Expired")) return "BGP hold timer (the peer's NOTIFICATION)";
    if (has(e, "Administrative Reset")) return "BGP NOTIFICATION Cease/Administrative Reset";
    if (has(e, "Administrative Shutdown")) return "BGP NOTIFICATION Cease/Administrative Shutdown";
    return "BGP NOTIFICATION";
  }
  if (has(reason, "TCP")) return "BGP TCP connection lost";
  return reason.empty() ? "BGP session lost" : "BGP: " + reason;
}

std::vector<DrillEvent> diff(const LabState& before, const LabState& after, double at_ms) {
  std::vector<DrillEvent> out;
  static const GatewayView kDown;
  for (const auto& [node, a] : after) {
    auto it = before.find(node);
    const GatewayView& b = it == before.end() ? kDown : it->second;
    if (a.answering != b.answering && it != before.end()) {
      out.push_back(
          {at_ms, node, node, a.answering ? "gateway answering" : "gateway not answering", "", ""});
    }
    if (!a.answering) continue;  // its tunnels are unknown, not down
    bool restarted = !b.started.empty() && a.started != b.started;
    tunnel_events(node, b, a, at_ms, restarted, out);
    peer_events(node, b, a, at_ms, restarted, out);
  }
  return out;
}

bool all_back(const LabState& s) {
  return not_back(s).empty();
}

std::vector<NotBack> not_back(const LabState& s) {
  std::vector<NotBack> out;
  for (const auto& [node, g] : s) {
    if (!g.answering) {
      out.push_back({node, node, "gateway not answering", ""});
      continue;
    }
    for (const auto& [device, t] : g.tunnels) {
      if (!t.up) out.push_back({node, device, "tunnel DOWN", t.last_error});
    }
    for (const auto& [neighbor, p] : g.peers) {
      if (!p.established)
        out.push_back(
            {node, neighbor, "BGP " + p.state, p.last_error.empty() ? p.reason : p.last_error});
    }
  }
  return out;
}

}  // namespace vpnlab::topology::drills
