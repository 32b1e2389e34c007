#pragma once
// A gateway node's IPsec half run by strongSwan's charon (5.9.8 as in Debian 12) with
// kernel-libipsec: userspace ESP on one TUN device, ipsec0, because this kernel has no ESP
// (where it has, XFRM interfaces with if_id would give one device per tunnel; only
// kernel-libipsec is tested here: see README "Real software as lab nodes").
//
// swanctl.conf is generated from the node's plan (the text `vpnlab export strongswan`
// prints): one connection per tunnel, named after its device (aws0t1, the same on both ends),
// with the cloud's proposals, lifetimes, rekey margin and fuzz, DPD, start action and
// narrowed traffic selectors (see selectors below). charon runs in the node's namespace with
// a private /run (its PID file path is compiled in), its own strongswan.conf, vici socket and
// log under the lab's run directory, so several labs and the test suite's charons coexist.
//
// Files (NodePaths::file): strongswan.conf, swanctl.conf (0600: PSKs), charon.vici,
// charon.pid, charon.log, charon.run/ (charon's private /run).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/nodes/node_paths.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology::nodes {

inline constexpr const char* kCharon = "/usr/lib/ipsec/charon";
inline constexpr const char* kSwanctl = "/usr/sbin/swanctl";

/// One tunnel's traffic selectors. kernel-libipsec has one ipsec0 for all tunnels and picks
/// the SA for a packet by its policies alone, so two route-based tunnels with 0.0.0.0/0
/// selectors cannot coexist: every CHILD_SA gets its inside /30 on both sides (its BGP
/// session stays on its own tunnel) plus the node's announced prefixes to 0.0.0.0/0 (data).
struct Selectors {
  std::vector<std::string> local, remote;
};
Selectors tunnel_selectors(const GatewayPlan& plan, const TunnelPlan& t);

/// swanctl.conf for the node; PSKs are written only when show_secrets (else a placeholder
/// that says how to get them).
std::string swanctl_config(const GatewayPlan& plan, bool show_secrets);
/// strongswan.conf: charon's plugins (kernel-libipsec), the retransmission
/// schedule that stands for the plan's DPD timeout, vici socket and log under paths.
std::string strongswan_config(const GatewayPlan& plan, const NodePaths& paths);
/// The commands that give ipsec0 the node's APIPA addresses once charon created it (what a
/// real device needs besides its configs); `vpnlab up` does the same with netlink.
std::string interface_setup(const GatewayPlan& plan);
/// What charon cannot express of the cloud, and what the selector choice changes for
/// failover: one sentence each; `up` prints them, the export carries them as comments.
std::vector<std::string> strongswan_notes(const GatewayPlan& plan);

/// Writes the configs, starts charon in plan.netns, loads swanctl.conf, then puts the APIPA
/// addresses on ipsec0. Returns charon's PID; on failure charon is stopped again.
Checked<int> start_strongswan(const GatewayPlan& plan, const NodePaths& paths);
/// Stops this node's charon by its PID file (only a charon whose environment names this
/// node's strongswan.conf); kernel-libipsec removes ipsec0 as it exits.
void stop_strongswan(const NodePaths& paths);
/// PID of this node's running charon, 0 if none.
int strongswan_pid(const NodePaths& paths);

/// The tunnels array of a vpnlab gateway's status (gateway.cpp tunnel_status, ike_status.cpp)
/// read from charon over vici; tunnels DOWN with last_error when charon does not answer.
nlohmann::json strongswan_tunnels(const GatewayPlan& plan, const NodePaths& paths);
/// The same mapping from list-sas events (one per IKE_SA, vici messages as JSON), for tests;
/// now_epoch_s turns charon's relative times into UTC.
nlohmann::json strongswan_tunnels_from(const GatewayPlan& plan, const nlohmann::json& list_sas,
                                       std::int64_t now_epoch_s);

/// Drills over vici: "down" terminates the tunnel's IKE_SA (INFORMATIONAL DELETE to the
/// peer), "up" initiates its CHILD_SA (not for a responder-only tunnel: the cloud never
/// initiates), "rekey" / "rekey-ike" rekey its CHILD_SA / IKE_SA. A note for the user, or
/// an error.
Checked<std::string> strongswan_drill(const GatewayPlan& plan, const NodePaths& paths,
                                      const TunnelPlan& t, const std::string& action);

}  // namespace vpnlab::topology::nodes
