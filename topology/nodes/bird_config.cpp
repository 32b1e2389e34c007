// bird.conf from a gateway plan. What each part reproduces, with its cloud-facts row:
//   ASNs, router id, APIPA neighbours with the local APIPA address as source   [Z-AWS, X-XML]
//   hold/keepalive per cloud, scaled by the time factor like vpnlab's gateway  [Z-TIMER, X-XML]
//   passive where the plan says so (Azure on APIPA)                            [Z-AWS-OLD]
//   the plan's prefixes: a static protocol exported to BGP only (never the kernel)
//   learned routes into the node's kernel (kernel protocol), merged into ECMP
//   routes for Azure, one path on an AWS VGW                                   [Z-AA, A-ROUTE]
//   receive limit as the cloud enforces it: Cease/1, session down              [A-QUOTA, X-AVX,
//                                                                               Z-FAQ-BGP]
//   Azure: never announce 0.0.0.0/0, reject VNet-equal prefixes (filters)      [Z-FAQ-BGP]
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "topology/nodes/bgp_node.hpp"
#include "topology/nodes/bird.hpp"

namespace vpnlab::topology::nodes {
namespace {

std::string symbol(const std::string& text) {
  std::string s;
  for (char c : text) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

void filters(const GatewayPlan& plan, std::ostringstream& out) {
  out << "filter vpnlab_import {\n";
  // cloud-facts "Prefix filtering": routes identical to a VNet prefix are rejected
  // [Z-FAQ-BGP]; supersets pass. gateway.cpp applies the list on Azure nodes only.
  if (plan.cloud == Cloud::azure) {
    for (const auto& p : plan.reject_equal_to)
      out << "  if net = " << p.to_string() << " then reject;\n";
  }
  out << "  accept;\n}\n\nfilter vpnlab_export {\n";
  // cloud-facts "What Azure advertises": never the default route [Z-FAQ-BGP].
  if (plan.never_announce_default) out << "  if net = 0.0.0.0/0 then reject;\n";
  // The plan's prefixes and what the node learned (both clouds re-advertise learned routes).
  out << "  if proto = \"vpnlab_announce\" || source = RTS_BGP then accept;\n  reject;\n}\n\n";
}

void neighbor(const GatewayPlan& plan, std::size_t i, std::ostringstream& out) {
  const BgpNeighborPlan& n = plan.bgp_neighbors[i];
  const DaemonTimers t = daemon_timers(plan, n);
  const double f = plan.time_factor > 0 ? plan.time_factor : 1.0;
  const auto wait_max = std::max<std::int64_t>(t.error_wait_s, std::llround(60 * f));
  out << "protocol bgp " << bird_protocol_name(plan, i) << " {\n";
  if (!n.tunnel.empty()) out << "  description \"" << n.tunnel << "\";\n";
  // The session runs between the tunnel's APIPA addresses (cloud-facts "Inside address
  // use" [X-XML]; Azure "Per-connection custom address" [Z-AWS]).
  out << "  local " << n.local.to_string() << " as " << plan.asn << ";\n";
  out << "  neighbor " << n.peer.to_string() << " as " << n.peer_asn << ";\n";
  if (!n.device.empty()) out << "  interface \"" << n.device << "\";\n";
  out << "  direct;\n";
  if (n.passive) out << "  passive on;\n";  // cloud-facts "APIPA passivity" [Z-AWS-OLD]
  out << "  hold time " << t.hold_s << ";\n  keepalive time " << t.keepalive_s << ";\n";
  out << "  connect retry time " << t.connect_retry_s << ";\n";
  out << "  error wait time " << t.error_wait_s << ", " << wait_max << ";\n";
  out << "  ipv4 {\n    import filter vpnlab_import;\n    export filter vpnlab_export;\n";
  // cloud-facts "Behaviour when >100": NOTIFICATION Cease/1, session Idle [X-AVX] (AWS);
  // "Max prefixes from a peer": session dropped [Z-FAQ-BGP] (Azure). BIRD counts what it
  // received (before filters), sends Cease/1 and restarts after the error wait time.
  if (n.max_prefixes > 0) out << "    receive limit " << n.max_prefixes << " action restart;\n";
  out << "  };\n}\n\n";
}

}  // namespace

std::string bird_protocol_name(const GatewayPlan& plan, std::size_t index) {
  auto base = [&](std::size_t i) {
    const auto& n = plan.bgp_neighbors[i];
    return "bgp_" + symbol(n.device.empty() ? n.peer.to_string() : n.device);
  };
  std::string name = base(index);
  for (std::size_t i = 0; i < index; ++i) {
    if (base(i) == name) return name + "_" + std::to_string(index);
  }
  return name;
}

std::vector<std::string> bird_notes(const GatewayPlan& plan) {
  std::vector<std::string> notes;
  if (plan.cloud == Cloud::aws) {
    notes.push_back(
        "AWS signals its preferred egress tunnel with a lower MED (cloud-facts \"Egress tunnel "
        "choice\" [A-ROUTE]); this BIRD node sends no MED, so the peer picks by its own rules");
  }
  if (uses_ecmp(plan)) {
    notes.push_back(
        "BIRD selects one best route per prefix; the ECMP over the tunnels exists in the "
        "kernel (merge paths), so status shows the best route only");
  }
  notes.push_back("BIRD does not count BGP messages: status has no messagesSent/messagesReceived");
  return notes;
}

std::string bird_config(const GatewayPlan& plan, const NodePaths& paths) {
  std::ostringstream out;
  out << "# vpnlab: BIRD 2 configuration for " << plan.node << " (" << plan.display_name
      << ") of lab " << plan.lab << "; generated, do not edit\n";
  for (const auto& note : bird_notes(plan)) out << "# note: " << note << "\n";
  out << "log \"" << paths.file("bird.log") << "\" all;\n";
  out << "router id " << plan.router_id.to_string() << ";\n";
  out << "timeformat protocol \"%s\";  # epoch seconds: status computes connectedDuration\n\n";
  out << "protocol device {\n}\n\n";
  // Learned routes into the node's kernel, so it forwards VNet <-> VPC traffic into its
  // tunnels; the announced prefixes stay out of it.
  out << "protocol kernel vpnlab_kernel {\n  ipv4 {\n    import none;\n"
      << "    export where source = RTS_BGP;\n  };\n";
  if (uses_ecmp(plan))
    out << "  merge paths on limit " << std::max<std::size_t>(plan.bgp_neighbors.size(), 1)
        << ";\n";
  out << "}\n\n";
  out << "protocol static vpnlab_announce {\n  ipv4 {\n    import all;\n    export none;\n  };\n";
  for (const auto& p : plan.announce) out << "  route " << p.to_string() << " blackhole;\n";
  out << "}\n\n";
  filters(plan, out);
  for (std::size_t i = 0; i < plan.bgp_neighbors.size(); ++i) neighbor(plan, i, out);
  return out.str();
}

}  // namespace vpnlab::topology::nodes
