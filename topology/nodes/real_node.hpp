#pragma once
// Gateway nodes run by real software (lab.nodes: strongswan+frr, strongswan+bird, external):
// one dispatch for what `vpnlab up`, `down`, `status`, the drills, the supervisor and
// `vpnlab export` do with a node, so callers never switch on the implementation.
//
//   strongswan+frr   charon (strongswan.hpp) + zebra/bgpd (frr.hpp)
//   strongswan+bird  charon + BIRD (bird.hpp)
//   external         the configs of both (swanctl.conf, frr.conf, bird.conf) and the
//                    interface setup are written under the run directory; `command`, if
//                    any, runs in the node's namespace (sh -c, VPNLAB_RUN and VPNLAB_NODE set),
//                    its PID recorded and stopped by down; status reads charon over
//                    <run>/<node>.charon.vici if the command started one there
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/nodes/node_paths.hpp"
#include "topology/plan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::nodes {

/// True when the node is not a vpnlab gateway process.
bool is_real(const GatewayPlan& plan);

/// The plan the routing daemon is configured from: with charon every session runs over the
/// one ipsec0 device, so neighbours name no per-tunnel device (the daemon finds the
/// interface from the connected /30).
GatewayPlan bgp_plan(const GatewayPlan& plan);

struct Daemon {
  std::string name;  // charon, bgpd, bird, external
  int pid = 0;
};
struct NodeStart {
  std::vector<Daemon> daemons;
  bool already_running = false;
};

/// Starts the node's software (charon first: ipsec0 carries the addresses bgpd/BIRD bind).
Checked<NodeStart> start_node(const GatewayPlan& plan, const NodePaths& paths);
/// Stops it by PID; returns the daemons that were running.
std::vector<std::string> stop_node(const GatewayPlan& plan, const NodePaths& paths);
/// What `up` prints for the node: the cloud behaviours its software cannot express.
std::vector<std::string> node_notes(const GatewayPlan& plan);
/// A drill on one tunnel of the node; a note for the user or an error.
Checked<std::string> node_drill(const GatewayPlan& plan, const NodePaths& paths,
                                const TunnelPlan& t, const std::string& action);

/// Any gateway node's status document, as a vpnlab gateway answers {"command":"status"}:
/// over its control socket for a vpnlab node, from charon and bgpd/BIRD for a real one;
/// null when the node does not answer.
nlohmann::json gateway_status(const GatewayPlan& plan, const RunPaths& paths,
                              std::chrono::milliseconds timeout = std::chrono::seconds(2));
/// Every gateway's status document by node ({"azure-gw0": {...}, ...}; null for one that
/// does not answer): what up, status, verify, bench and the supervisor all read.
nlohmann::json gateways_status(const LabPlan& plan, const RunPaths& paths,
                               std::chrono::milliseconds timeout = std::chrono::seconds(2));

inline NodePaths node_paths(const RunPaths& run, const GatewayPlan& plan) {
  return {run.dir, plan.node};
}

}  // namespace vpnlab::topology::nodes
