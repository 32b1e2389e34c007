#include "topology/recovery_status.hpp"

namespace vpnlab::topology {

using nlohmann::json;

EndState end_state(const json& gw, const std::string& device) {
  EndState s;
  if (!gw.is_object() || !gw.contains("tunnels")) return s;
  for (const auto& t : gw["tunnels"]) {
    if (t.value("device", "") != device) continue;
    s.known = true;
    s.up = t.value("status", "") == "UP";
    for (const auto& sa : t.value("ike_sas", json::array())) {
      std::string state = sa.value("state", "");
      if (state == "CREATED" || state == "CONNECTING") s.negotiating = true;
      if (state != "CLOSED" && state != "DELETING") s.has_ike_sa = true;
    }
  }
  return s;
}

json recovery_status(const std::vector<TunnelRecovery>& analysis, const json& gateways) {
  json out = json::array();
  for (const auto& r : analysis) {
    json events = json::object();
    for (const auto& o : r.outcomes) {
      events[failure_event_name(o.event)] = {{"comes_back", o.comes_back},
                                             {"initiators", o.initiators}};
    }
    EndState aws = end_state(gateways.value("aws-vgw", json()), r.device);
    EndState azure = end_state(gateways.value(r.azure_node, json()), r.device);
    json entry = {{"device", r.device},
                  {"aws_tunnel", r.aws_tunnel},
                  {"azure_connection", r.azure_connection},
                  {"azure_node", r.azure_node},
                  {"after", events},
                  {"will_come_back", !stuck_now(r, aws, azure)}};
    if (!r.reason.empty()) {
      entry["reason"] = r.reason;
      entry["fix"] = r.fix;
    }
    out.push_back(entry);
  }
  return out;
}

}  // namespace vpnlab::topology
