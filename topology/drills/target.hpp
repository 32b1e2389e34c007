#pragma once
// What a drill breaks (`vpnlab fail KIND:OBJECT`), resolved against the lab's plan:
//
//   crash:azure-gw0        an Azure instance fails as a host would: kill -9 of its gateway
//   maintenance:azure-gw0  Azure's planned maintenance of one instance: graceful (IKE DELETE
//                          and BGP Cease on its tunnels), then the instance is gone; the
//                          other instance carries the traffic [Z-AA]
//   replace:aws0t1         AWS replaces one tunnel's endpoint [A-ELC]: that tunnel goes down
//                          from the AWS end, and the new endpoint comes up at the heal
//   hang:aws-vgw           a gateway process hung (SIGSTOP; heal: SIGCONT)
//   bgp-reset:aws0t1       the tunnel's BGP session reset (Cease/Administrative Reset, RFC
//                          4486) from the AWS end; it comes back by the FSM
//   path:aws0t1            the tunnel's internet path impaired (topology/drills/impairment.hpp)
//
// Instances may be named instance0 / instance1, tunnels by device or cloud name.
#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/drills/report.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology::drills {

enum class FaultKind {
  instance_crash,
  instance_maintenance,
  endpoint_replacement,
  gateway_hang,
  bgp_reset,
  path_impairment
};

struct Target {
  FaultKind kind = FaultKind::instance_crash;
  std::string spec;    // as given
  std::string node;    // the gateway the fault acts on (for tunnels: the end that acts)
  std::string device;  // the tunnel, for tunnel targets
};

/// Errors name the kind or the object and list what exists.
Checked<Target> parse_target(const std::string& text, const LabPlan& plan);
/// True for faults that recover by themselves (nothing to heal: bgp-reset).
bool heals_itself(FaultKind k);
/// What the target emulates and which cloud fact it follows, one sentence.
std::string emulates(const Target& t);
/// What the clouds document for the same event (shared/cloud-facts.md), cloud time.
std::vector<DocumentedFigure> documented_figures(const Target& t, bool down_path);

}  // namespace vpnlab::topology::drills
