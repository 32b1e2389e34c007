#pragma once
// A gateway node's BGP half run by FRR (zebra + bgpd, FRR 8.4 as in Debian 12): the
// configuration generated from the node's plan (the text `vpnlab export frr --node N`
// prints), the daemons started in the node's namespace with every file under the lab's run
// directory, stopped by PID, and their status mapped to vpnlab's gateway "bgp" JSON.
//
// Files (NodePaths::file): frr.conf, zebra.pid, bgpd.pid, zserv.api (zebra's API socket),
// frr.vty/ (the vty socket directory: vtysh --vty_socket <it>), zebra.log, bgpd.log.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "topology/nodes/node_paths.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology::nodes {

inline constexpr const char* kZebra = "/usr/lib/frr/zebra";
inline constexpr const char* kBgpd = "/usr/lib/frr/bgpd";

/// frr.conf for the node: bgpd's part only (zebra needs none). Paths do not appear in it, so
/// the export is the same text a user loads on a real router.
std::string frr_config(const GatewayPlan& plan, const NodePaths& paths);

/// Cloud behaviours FRR does not reproduce with this configuration, one sentence each;
/// `vpnlab up` prints them and frr_config carries them as comments.
std::vector<std::string> frr_notes(const GatewayPlan& plan);

/// Writes frr.conf and starts zebra then bgpd in plan.netns, each waiting for its vty
/// socket. Returns bgpd's PID. On failure nothing of this node is left running.
Checked<int> start_frr(const GatewayPlan& plan, const NodePaths& paths);

/// Stops bgpd and zebra of this node by their PID files (only processes whose command line
/// still names this node's files), removes the PID files and sockets.
void stop_frr(const NodePaths& paths);

/// The node's status in the gateway "bgp" shape (bgp_node.hpp); an object with "error" and
/// no peers when bgpd does not answer.
nlohmann::json frr_bgp_status(const GatewayPlan& plan, const NodePaths& paths);

/// What frr_bgp_status reads with vtysh: `show bgp neighbors json`,
/// `show bgp ipv4 unicast json`, and `show bgp ipv4 unicast neighbors P advertised-routes
/// json` per peer P.
struct FrrShow {
  std::string neighbors, routes;
  std::map<std::string, std::string> advertised;  // by peer address
};
/// The mapping alone (unit-tested on captured outputs). Unparseable input -> "error".
nlohmann::json frr_status_from(const FrrShow& show, const GatewayPlan& plan);

}  // namespace vpnlab::topology::nodes
