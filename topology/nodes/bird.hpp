#pragma once
// A gateway node's BGP half run by BIRD 2 (2.0.12 as in Debian 12): the configuration
// generated from the node's plan (the text `vpnlab export bird --node N` prints), the daemon
// started in the node's namespace with its own control socket, PID file and log under the
// lab's run directory, stopped by PID, and its status mapped to vpnlab's gateway "bgp" JSON.
//
// Files (NodePaths::file): bird.conf, bird.ctl (birdc -s <it>), bird.pid, bird.log.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "topology/nodes/node_paths.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology::nodes {

inline constexpr const char* kBird = "/usr/sbin/bird";

/// bird.conf for the node (its log file is the one path in it: BIRD takes it only there).
std::string bird_config(const GatewayPlan& plan, const NodePaths& paths);

/// Cloud behaviours BIRD does not reproduce with this configuration, one sentence each;
/// `vpnlab up` prints them and bird_config carries them as comments.
std::vector<std::string> bird_notes(const GatewayPlan& plan);

/// The BIRD protocol name of a neighbour ("bgp_<device>"), as status and birdc show it.
std::string bird_protocol_name(const GatewayPlan& plan, std::size_t neighbor_index);

/// Writes bird.conf and starts bird in plan.netns; waits for its control socket. Returns
/// its PID.
Checked<int> start_bird(const GatewayPlan& plan, const NodePaths& paths);

/// Stops this node's bird by its PID file (only a process whose command line still names
/// this node's bird.conf); BIRD withdraws its kernel routes as it exits.
void stop_bird(const NodePaths& paths);

/// The node's status in the gateway "bgp" shape (bgp_node.hpp); an object with "error" and
/// no peers when bird does not answer.
nlohmann::json bird_bgp_status(const GatewayPlan& plan, const NodePaths& paths);

/// What bird_bgp_status reads with birdc: `show protocols all`, `show route all`, and
/// `show route export <protocol> all` per BGP protocol.
struct BirdShow {
  std::string protocols, routes;
  std::map<std::string, std::string> exported;  // by protocol name
};
/// The mapping alone (unit-tested on captured outputs); now_epoch_s: the current time, for
/// connectedDuration (the config sets `timeformat protocol "%s"`).
nlohmann::json bird_status_from(const BirdShow& show, const GatewayPlan& plan,
                                std::int64_t now_epoch_s);

}  // namespace vpnlab::topology::nodes
