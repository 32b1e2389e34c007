#pragma once
// Injecting and undoing a drill's fault on a running lab (`vpnlab up`): signals to the
// gateway processes by the PIDs `up` recorded (checked in /proc to still be that gateway),
// drill actions over the control sockets, and the path impairment on the internet router.
// A crashed or stopped gateway is started again exactly as `vpnlab up` starts it
// (topology/supervisor.hpp start_gateways).
#include <string>

#include "base/result.hpp"
#include "topology/drills/impairment.hpp"
#include "topology/drills/target.hpp"
#include "topology/plan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::drills {

struct FaultContext {
  const LabPlan& plan;
  RunPaths paths;
  std::string exe;  // the vpnlab binary, to restart gateways
};

/// A fault in place, as recorded in the lab's run directory until it is healed.
struct ActiveFault {
  Target target;
  Impairment impairment;  // path targets
  int pid = 0;            // the gateway signalled (crash, hang, maintenance)
  std::string since;      // UTC, when it was applied
};

/// Applies the fault; the returned text says what was done ("kill -9 azure-gw0 (pid 4242)").
Checked<std::string> apply_fault(const FaultContext& ctx, ActiveFault& fault);
/// Undoes it; the returned text says what was done ("restarted azure-gw0 (pid 4300)").
Checked<std::string> undo_fault(const FaultContext& ctx, const ActiveFault& fault);
/// Where the tunnel crosses the internet router (for path targets).
Checked<TunnelPath> tunnel_path(const LabPlan& plan, const std::string& device);

}  // namespace vpnlab::topology::drills
