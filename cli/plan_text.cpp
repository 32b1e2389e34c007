#include "cli/plan_text.hpp"

#include <cstdio>

namespace vpnlab::cli {

std::string plan_summary(const topology::GatewayPlan& g) {
  std::string s = g.node + " (" + g.display_name + ", namespace " + g.netns + ", ASN " +
                  std::to_string(g.asn) + ")\n";
  if (g.implementation != "vpnlab") {
    s += "  run by: " + g.implementation +
         (g.command.empty() ? "" : " (command in " + g.node + ".external.sh)") + "\n";
  }
  s += "  public:";
  for (auto a : g.public_addresses) s += " " + a.to_string();
  s += "\n  announces:";
  for (auto p : g.announce) s += " " + p.to_string();
  s += "\n";
  for (const auto& t : g.tunnels) {
    char line[512];
    std::snprintf(
        line, sizeof line,
        "  tunnel %-26s dev %-7s %s -> %s  inside %s local %s remote %s  IKE %s  psk <%zu chars>\n",
        t.name.c_str(), t.device.c_str(), t.local_outside.to_string().c_str(),
        t.remote_outside.to_string().c_str(), t.inside.to_string().c_str(),
        t.local_inside.to_string().c_str(), t.remote_inside.to_string().c_str(),
        topology::ike_start_name(t.start).c_str(), t.psk.size());
    s += line;
    s += "    ike: ";
    for (const auto& p : t.ike_proposals) s += p + " ";
    s += "\n    esp: ";
    for (const auto& p : t.esp_proposals) s += p + " ";
    s += "\n    lifetimes ike " + std::to_string(t.ike_lifetime_s) + " s, child " +
         std::to_string(t.child_lifetime_s) + " s, margin " + std::to_string(t.rekey_margin_s) +
         " s; replay " + std::to_string(t.replay_window) + "; dpd " +
         std::to_string(t.dpd_timeout_s) + " s " + t.dpd_action + "\n";
  }
  for (const auto& n : g.bgp_neighbors) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "  bgp neighbor %-15s AS %-6lld from %-15s dev %-7s hold %lld keepalive %lld%s "
                  "max-prefix %lld (%s)\n",
                  n.peer.to_string().c_str(), static_cast<long long>(n.peer_asn),
                  n.local.to_string().c_str(), n.device.c_str(),
                  static_cast<long long>(n.hold_time_s), static_cast<long long>(n.keepalive_s),
                  n.passive ? " passive" : "", static_cast<long long>(n.max_prefixes),
                  n.max_prefix_action.c_str());
    s += line;
  }
  return s;
}

}  // namespace vpnlab::cli
