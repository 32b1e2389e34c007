// frr.conf from a gateway plan. What each line reproduces, with its cloud-facts row:
//   ASNs, router id, APIPA neighbours with the local APIPA address as source   [Z-AWS, X-XML]
//   hold/keepalive per cloud, scaled by the time factor like vpnlab's gateway  [Z-TIMER, X-XML]
//   passive where the plan says so (Azure on APIPA)                            [Z-AWS-OLD]
//   the plan's prefixes as `network` (no IGP route needed: import-check off)
//   ECMP for Azure (maximum-paths), one path on an AWS VGW                     [Z-AA, A-ROUTE]
//   maximum-prefix as the cloud enforces it: Cease/1, session down             [A-QUOTA, X-AVX,
//                                                                               Z-FAQ-BGP]
//   Azure: never announce 0.0.0.0/0, reject VNet-equal prefixes (prefix lists) [Z-FAQ-BGP]
// zebra installs the selected routes in the node's kernel, so the node forwards into its
// tunnels. What FRR cannot reproduce is listed by frr_notes().
#include <sstream>

#include "topology/nodes/bgp_node.hpp"
#include "topology/nodes/frr.hpp"

namespace vpnlab::topology::nodes {
namespace {

constexpr const char* kImportList = "vpnlab-import";
constexpr const char* kExportList = "vpnlab-export";

void prefix_lists(const GatewayPlan& plan, std::ostringstream& out) {
  int seq = 5;
  // cloud-facts "Prefix filtering": routes identical to a VNet prefix are rejected
  // [Z-FAQ-BGP]; supersets pass. gateway.cpp applies the list on Azure nodes only.
  if (plan.cloud == Cloud::azure) {
    for (const auto& p : plan.reject_equal_to)
      out << "ip prefix-list " << kImportList << " seq " << (seq += 5) << " deny " << p.to_string()
          << "\n";
  }
  out << "ip prefix-list " << kImportList << " seq 1000 permit 0.0.0.0/0 le 32\n";
  // cloud-facts "What Azure advertises": never the default route [Z-FAQ-BGP].
  if (plan.never_announce_default)
    out << "ip prefix-list " << kExportList << " seq 5 deny 0.0.0.0/0\n";
  out << "ip prefix-list " << kExportList << " seq 1000 permit 0.0.0.0/0 le 32\n!\n";
}

void neighbor_session(const GatewayPlan& plan, const BgpNeighborPlan& n, std::ostringstream& out) {
  const std::string nb = " neighbor " + n.peer.to_string();
  const DaemonTimers t = daemon_timers(plan, n);
  out << nb << " remote-as " << n.peer_asn << "\n";
  if (!n.tunnel.empty()) out << nb << " description " << n.tunnel << "\n";
  // The session runs between the tunnel's APIPA addresses (cloud-facts "Inside address
  // use" [X-XML]; Azure "Per-connection custom address" [Z-AWS]).
  out << nb << " update-source " << n.local.to_string() << "\n";
  if (n.passive) out << nb << " passive\n";  // cloud-facts "APIPA passivity" [Z-AWS-OLD]
  out << nb << " timers " << t.keepalive_s << " " << t.hold_s << "\n";
  out << nb << " timers connect " << t.connect_retry_s << "\n";
}

void neighbor_family(const BgpNeighborPlan& n, std::ostringstream& out) {
  const std::string nb = "  neighbor " + n.peer.to_string();
  out << nb << " prefix-list " << kImportList << " in\n";
  out << nb << " prefix-list " << kExportList << " out\n";
  // cloud-facts "Behaviour when >100": NOTIFICATION Cease/1, session Idle [X-AVX] (AWS);
  // "Max prefixes from a peer": session dropped [Z-FAQ-BGP] (Azure). FRR sends Cease/1
  // and restarts the session after a minute, as the cloud retries later. FRR 8.4 checks
  // the count before it adds a prefix, so `maximum-prefix M` closes the session at M + 2
  // prefixes (seen in bgp_nodes_interop_test): M = limit - 1 closes it at limit + 1.
  if (n.max_prefixes > 0) {
    out << nb << " maximum-prefix " << std::max<std::int64_t>(n.max_prefixes - 1, 1)
        << " restart 1\n";
  }
}

}  // namespace

std::vector<std::string> frr_notes(const GatewayPlan& plan) {
  std::vector<std::string> notes;
  if (plan.cloud == Cloud::aws) {
    notes.push_back(
        "AWS signals its preferred egress tunnel with a lower MED (cloud-facts \"Egress tunnel "
        "choice\" [A-ROUTE]); this FRR node sends no MED, so the peer picks by its own rules");
  }
  for (const auto& n : plan.bgp_neighbors) {
    if (n.max_prefixes <= 0) continue;
    notes.push_back(
        "FRR is told maximum-prefix " +
        std::to_string(std::max<std::int64_t>(n.max_prefixes - 1, 1)) +
        " so that it closes the session at " + std::to_string(n.max_prefixes + 1) +
        " prefixes as the cloud does; its Cease NOTIFICATION carries that number, not " +
        std::to_string(n.max_prefixes));
    break;
  }
  bool limit = false;
  for (const auto& n : plan.bgp_neighbors) limit = limit || n.max_prefixes > 0;
  if (limit && plan.time_factor != 1.0) {
    notes.push_back(
        "FRR restarts a session closed by the prefix limit after whole minutes: 1 minute, not "
        "scaled by the lab's time factor");
  }
  notes.push_back(
      "FRR offers BGP capabilities a cloud gateway does not (hostname, extended message, "
      "ADD-PATH receive, graceful restart); a peer ignores what it does not know");
  return notes;
}

std::string frr_config(const GatewayPlan& plan, const NodePaths& paths) {
  std::ostringstream out;
  out << "! vpnlab: FRR configuration for " << plan.node << " (" << plan.display_name << ") of lab "
      << plan.lab << "\n";
  out << "! load into bgpd (with zebra for kernel routes); generated, do not edit\n";
  for (const auto& note : frr_notes(plan)) out << "! note: " << note << "\n";
  out << "frr defaults traditional\nhostname " << paths.node << "\n!\n";
  prefix_lists(plan, out);
  out << "router bgp " << plan.asn << "\n";
  out << " bgp router-id " << plan.router_id.to_string() << "\n";
  // FRR 8 refuses eBGP routes without a policy (RFC 8212); the prefix lists below are the
  // policy, and this keeps a neighbour added by hand working like the cloud's.
  out << " no bgp ebgp-requires-policy\n";
  // The plan's prefixes are announced whether or not the node's kernel has a route for them,
  // as the clouds announce the VNet / VPC CIDR.
  out << " no bgp network import-check\n";
  for (const auto& n : plan.bgp_neighbors) neighbor_session(plan, n, out);
  out << " !\n address-family ipv4 unicast\n";
  for (const auto& p : plan.announce) out << "  network " << p.to_string() << "\n";
  const std::size_t paths_n =
      uses_ecmp(plan) ? std::max<std::size_t>(plan.bgp_neighbors.size(), 1) : 1;
  out << "  maximum-paths " << paths_n << "\n";
  for (const auto& n : plan.bgp_neighbors) neighbor_family(n, out);
  out << " exit-address-family\nexit\n!\n";
  return out.str();
}

}  // namespace vpnlab::topology::nodes
