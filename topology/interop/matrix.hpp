#pragma once
// The `vpnlab interop` matrix: which cases run against real software, and the lab each case
// brings up. A case is one lab of its own (its own name, so cases never share state): the
// reference lab with one cloud's gateway nodes run by the peer software under test
// (lab.nodes, topology/nodes/) and the other cloud emulated by vpnlab, shaped by the case
// (custom policies, a VNet over AWS's prefix limit), and a script of steps the runner
// (runner.hpp) executes and checks.

#include <functional>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace vpnlab::topology::interop {

enum class Side { azure, aws };
std::string side_name(Side s);

/// What the runner does in a case, in order; each step passes or fails with a reason.
enum class Step {
  converge,             // up --wait: every tunnel UP, every BGP session Established, routes
  traffic,              // VNet VM <-> VPC host probe stream crosses (no loss once converged)
  rekey_child_real,     // CHILD_SA rekey started by the real peer, under the probe stream
  rekey_child_lab,      // ... started by vpnlab's emulated gateway
  rekey_ike_real,       // IKE_SA rekey started by the real peer
  rekey_ike_lab,        // ... by vpnlab
  tunnel_loss,          // one tunnel down: its BGP routes withdrawn, traffic on the others
  peer_dies,            // the real node's IKE daemon is killed: DPD on vpnlab's side clears
                        // the tunnels, BGP withdraws; the cloud's documented recovery follows
  prefix_limit,         // the lab announces 101 prefixes: AWS's 100-prefix limit holds
  refused_by_validate,  // the lab is one the clouds refuse: validate names the field
};
std::string step_name(Step s);

struct Case {
  std::string name;
  std::string what;  // one line for the table
  bool quick = false;
  std::vector<Step> steps;
  /// Shapes the lab (beyond lab.name, time factor and lab.nodes, which the runner sets).
  std::function<void(YAML::Node& lab)> shape;
  /// Why `peer` cannot run this case on `side` ("" when it can): the case is reported skipped.
  std::function<std::string(Side side, const std::string& peer)> unsupported;
};

/// Every case, quick ones first. `side` decides which cloud the real software replaces.
std::vector<Case> matrix(Side side);

/// The lab text for one case: the reference lab, named `lab_name`, timers scaled by
/// time_factor, the side's gateway nodes run by `peer` ("strongswan+frr", ...), shaped.
std::string case_lab_yaml(const Case& c, Side side, const std::string& peer,
                          const std::string& lab_name, double time_factor);

}  // namespace vpnlab::topology::interop
