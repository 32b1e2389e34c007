#pragma once
// A drill on a running lab, start to finish: the probe stream VNet VM <-> VPC host, the
// fault (topology/drills/faults.hpp), the watcher's timeline, the heal and the recovery
// wait, folded into a DrillReport.
//
//   vpnlab fail T --for S   probes, fault, watch S s, heal, watch until all back (or the wait)
//   vpnlab fail T           probes, fault, watch until detected (or the wait); the fault is
//                           recorded in the run directory and stays
//   vpnlab heal [T]         probes, undo the recorded fault(s), watch until all back
//
// Waits are bounded by DrillOptions::wait_s, by default 90 s of cloud time scaled by the
// lab's time factor (at least 5 s): long enough for the clouds' DPD (30-45 s) and BGP hold
// (30 s) timers plus a re-establishment.
#include <string>

#include "base/result.hpp"
#include "topology/drills/impairment.hpp"
#include "topology/drills/report.hpp"
#include "topology/model.hpp"
#include "topology/plan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::drills {

struct DrillOptions {
  std::string target;     // KIND:OBJECT (fail), or empty for every recorded fault (heal)
  Impairment impairment;  // path targets
  double hold_s = -1;     // --for
  double wait_s = -1;     // -1: default_wait_s(time factor)
  int rate_pps = 1000;    // probes per second, each direction
};

double default_wait_s(double time_factor);

struct DrillContext {
  const Lab& lab;
  const LabPlan& plan;
  RunPaths paths;
  std::string exe;
};

Checked<DrillReport> run_fail(const DrillContext& ctx, const DrillOptions& opt);
Checked<DrillReport> run_heal(const DrillContext& ctx, const DrillOptions& opt);

}  // namespace vpnlab::topology::drills
