#pragma once
// Watches a running lab during a drill: reads every gateway's status over its control
// socket (or its real software's) about every 100 ms, turns the changes into timestamped
// events (lab_state.hpp) and answers the drill's waits. Times are ms after the origin
// (the fault, or the heal for `vpnlab heal`). A gateway known to be hung is not asked (its
// socket would only time out) until it is released.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "topology/drills/lab_state.hpp"
#include "topology/plan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::drills {

class EventWatcher {
 public:
  using Clock = std::chrono::steady_clock;
  EventWatcher(const LabPlan& plan, RunPaths paths);

  /// Reads the lab once as the baseline (no events) and keeps it.
  void baseline();
  /// Sets time zero; events before it (none but the baseline) have negative times.
  void set_origin(Clock::time_point t) { origin_ = t; }
  double ms_since_origin(Clock::time_point t = Clock::now()) const;
  /// A drill step on the timeline ("fault", "heal") at at_ms after the origin.
  void note(const std::string& kind, const std::string& detail, double at_ms);
  void skip(const std::string& node, bool skipped);

  /// Polls every 100 ms until done(state) holds or deadline_ms (after the origin) passes;
  /// true if done held. done may be empty: poll until the deadline.
  bool watch_until(const std::function<bool(const LabState&)>& done, double deadline_ms);

  const std::vector<DrillEvent>& events() const { return events_; }
  const LabState& state() const { return state_; }

 private:
  LabState read() const;

  const LabPlan& plan_;
  RunPaths paths_;
  Clock::time_point origin_ = Clock::now();
  LabState state_;
  std::set<std::string> skipped_;
  std::vector<DrillEvent> events_;
};

}  // namespace vpnlab::topology::drills
