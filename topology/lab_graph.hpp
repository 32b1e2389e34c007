#pragma once
// `vpnlab graph`: the lab as a Graphviz DOT graph (issue 11, "Pictures where people would
// rather look than read"). Namespaces are nodes, grouped by cloud (clusters); the underlay's
// veth links, the four tunnels and the four BGP sessions are edges, the last two coloured by
// the state the running lab's status shows (grey: unknown, the lab is not running or the
// gateway does not answer); each gateway lists the prefixes it learned over BGP.
// A pure function: plan + status document in, DOT text out (tests feed fixtures).
#include <nlohmann/json.hpp>
#include <string>

#include "topology/plan.hpp"

namespace vpnlab::topology {

/// What an edge's colour says.
enum class EdgeState { up, partial, down, unknown };
/// "#2e7d32" (up, green), "#ef6c00" (partial / connecting, orange), "#c62828" (down, red),
/// "#9e9e9e" (unknown, grey).
const char* edge_colour(EdgeState s);

/// status: the document `vpnlab status --json` prints ("gateways": {node: gateway status}),
/// or null when the lab is not running. Tunnel edges have id "tunnel_<device>", BGP edges
/// "bgp_<device>" (SVG keeps them as element ids).
std::string lab_dot(const LabPlan& plan, const nlohmann::json& status);

}  // namespace vpnlab::topology
