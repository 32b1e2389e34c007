#include "topology/verify/evidence.hpp"

namespace vpnlab::topology::verify {

using nlohmann::json;

const json* tunnel_entry(const json& gw, const std::string& device) {
  if (!gw.is_object() || !gw.contains("tunnels") || !gw["tunnels"].is_array()) return nullptr;
  for (const auto& t : gw["tunnels"]) {
    if (t.value("device", "") == device) return &t;
  }
  return nullptr;
}

const json& node_status(const json& gateways, const std::string& node) {
  static const json kNone;
  return gateways.is_object() && gateways.contains(node) ? gateways[node] : kNone;
}

std::vector<TunnelEnds> tunnel_ends(const LabPlan& plan, const json& gateways) {
  std::vector<TunnelEnds> out;
  for (const auto& aws : plan.gateways) {
    if (aws.cloud != Cloud::aws) continue;
    const json& aws_gw = node_status(gateways, aws.node);
    for (const auto& t : aws.tunnels) {
      TunnelEnds e;
      e.name = t.name;
      e.aws_node = aws.node;
      e.aws = tunnel_entry(aws_gw, t.device);
      for (const auto& az : plan.gateways) {
        if (az.cloud != Cloud::azure) continue;
        for (const auto& zt : az.tunnels) {
          if (zt.device != t.device) continue;
          e.azure_node = az.node;
          e.azure = tunnel_entry(node_status(gateways, az.node), t.device);
        }
      }
      out.push_back(e);
    }
  }
  return out;
}

const json* bgp_peer(const json& gw, const std::string& neighbor) {
  if (!gw.is_object() || !gw.contains("bgp") || !gw["bgp"].is_object()) return nullptr;
  const json& bgp = gw["bgp"];
  if (!bgp.contains("peers") || !bgp["peers"].is_array()) return nullptr;
  for (const auto& p : bgp["peers"]) {
    if (p.value("neighbor", "") == neighbor) return &p;
  }
  return nullptr;
}

std::uint64_t tunnel_counter(const json* t, const char* name) {
  if (!t || !t->contains("counters") || !(*t)["counters"].contains(name)) return 0;
  return (*t)["counters"][name].get<std::uint64_t>();
}

}  // namespace vpnlab::topology::verify
