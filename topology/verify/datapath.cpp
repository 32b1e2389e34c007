#include "topology/verify/datapath.hpp"

#include "topology/reachability.hpp"
#include "topology/verify/causes.hpp"
#include "topology/verify/evidence.hpp"

namespace vpnlab::topology::verify {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr int kEchoes = 3;

const GatewayPlan* node(const LabPlan& plan, const std::string& name) {
  for (const auto& g : plan.gateways) {
    if (g.node == name) return &g;
  }
  return nullptr;
}

const TunnelPlan* tunnel(const GatewayPlan* g, const std::string& device) {
  if (!g) return nullptr;
  for (const auto& t : g->tunnels) {
    if (t.device == device) return &t;
  }
  return nullptr;
}

}  // namespace

std::int64_t grew(const json& before, const json& after, const std::string& node,
                  const std::string& device, const char* dir) {
  const json* b = tunnel_entry(node_status(before, node), device);
  const json* a = tunnel_entry(node_status(after, node), device);
  std::string packets = std::string("dp.") + dir + ".packets";
  std::string bytes = std::string("dp.") + dir + ".bytes";
  bool has_packets = a && a->contains("counters") && (*a)["counters"].contains(packets);
  const char* name = has_packets ? packets.c_str() : bytes.c_str();
  return static_cast<std::int64_t>(tunnel_counter(a, name)) -
         static_cast<std::int64_t>(tunnel_counter(b, name));
}

namespace {

std::string drops(const json* t) {
  std::string out;
  if (!t || !t->contains("counters")) return out;
  for (const auto& [k, v] : (*t)["counters"].items()) {
    if (k.find(".drop.") != std::string::npos && v.is_number() && v.get<std::uint64_t>() > 0)
      out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v.get<std::uint64_t>());
  }
  return out;
}

std::vector<std::string> ping_causes(const Lab& lab, const TunnelEnds& e, std::int64_t sent,
                                     std::int64_t received) {
  if (!e.up()) return tunnel_causes(lab, e);
  std::vector<std::string> out;
  if (e.azure->value("inside_remote", "") != e.aws->value("inside_local", "")) {
    out.push_back("APIPA mismatch: Azure's end sends to " + e.azure->value("inside_remote", "") +
                  ", AWS holds " + e.aws->value("inside_local", "") + " on this tunnel");
  }
  if (sent > 0 && received <= 0) {
    std::string d = drops(e.aws);
    out.push_back("ESP leaves the Azure end but the AWS end takes none of it" +
                  (d.empty() ? std::string() : " (AWS end drops: " + d + ")"));
  }
  if (out.empty())
    out.push_back("no echo reply across the tunnel (ESP drops: " + (drops(e.aws) + drops(e.azure)) +
                  ")");
  return out;
}

}  // namespace

void tunnel_datapath_checks(const Lab& lab, const LabPlan& plan, const GatewayQuery& query,
                            Report& r) {
  const json initial = query();  // the ends point into it
  for (const auto& e : tunnel_ends(plan, initial)) {
    const GatewayPlan* az = node(plan, e.azure_node);
    const GatewayPlan* aws = node(plan, e.aws_node);
    std::string device = e.aws ? e.aws->value("device", "") : "";
    const TunnelPlan* aws_t = tunnel(aws, device);
    const TunnelPlan* az_t = tunnel(az, device);
    if (!az || !aws_t || !az_t) continue;
    json before = query();
    int answered = 0;
    for (int i = 0; i < kEchoes; ++i)
      answered += icmp_probe(az->netns, aws_t->local_inside, milliseconds(1000)) ? 1 : 0;
    json after = query();
    std::int64_t tx = grew(before, after, az->node, device, "tx");
    std::int64_t rx = grew(before, after, aws->node, device, "rx");
    bool pass = answered == kEchoes && tx >= answered && rx >= answered;
    Check k{"data path",
            "tunnel " + e.name + " (" + device + ") carries " + az_t->local_inside.to_string() +
                " <-> " + aws_t->local_inside.to_string(),
            pass,
            std::to_string(answered) + "/" + std::to_string(kEchoes) +
                " ICMP echoes answered; Azure end tx +" + std::to_string(tx) + ", AWS end rx +" +
                std::to_string(rx),
            {}};
    if (!pass) {
      auto ends = tunnel_ends(plan, after);
      for (const auto& now : ends) {
        if (now.name == e.name) k.causes = ping_causes(lab, now, tx, rx);
      }
    }
    r.add(k);
  }
}

}  // namespace vpnlab::topology::verify
