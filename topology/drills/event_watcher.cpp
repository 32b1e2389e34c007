#include "topology/drills/event_watcher.hpp"

#include <algorithm>
#include <thread>

#include "topology/nodes/real_node.hpp"

namespace vpnlab::topology::drills {

EventWatcher::EventWatcher(const LabPlan& plan, RunPaths paths)
    : plan_(plan), paths_(std::move(paths)) {}

double EventWatcher::ms_since_origin(Clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(t - origin_).count();
}

LabState EventWatcher::read() const {
  LabState s;
  for (const auto& g : plan_.gateways) {
    GatewayView v;
    if (!skipped_.count(g.node)) {
      v = gateway_view(nodes::gateway_status(g, paths_, std::chrono::milliseconds(300)));
    }
    if (!v.answering) {
      // Not answering: its tunnels are unknown; keep the last known ones for the comparison
      // when it answers again.
      auto it = state_.find(g.node);
      if (it != state_.end()) v = it->second;
      v.answering = false;
    }
    s[g.node] = v;
  }
  return s;
}

void EventWatcher::baseline() {
  state_ = read();
}

void EventWatcher::note(const std::string& kind, const std::string& detail, double at_ms) {
  DrillEvent e{at_ms, "", "", kind, "", detail};
  // Kept in time order: a step is noted when it finished, stamped when it began.
  auto at =
      std::upper_bound(events_.begin(), events_.end(), e,
                       [](const DrillEvent& a, const DrillEvent& b) { return a.at_ms < b.at_ms; });
  events_.insert(at, e);
}

void EventWatcher::skip(const std::string& node, bool skipped) {
  if (skipped)
    skipped_.insert(node);
  else
    skipped_.erase(node);
}

bool EventWatcher::watch_until(const std::function<bool(const LabState&)>& done,
                               double deadline_ms) {
  auto next = Clock::now();
  for (;;) {
    auto at = Clock::now();
    LabState now = read();
    for (auto& e : diff(state_, now, ms_since_origin(at))) events_.push_back(std::move(e));
    state_ = std::move(now);
    if (done && done(state_)) return true;
    if (ms_since_origin() >= deadline_ms) return false;
    next += std::chrono::milliseconds(100);
    if (next > Clock::now()) std::this_thread::sleep_until(next);
  }
}

}  // namespace vpnlab::topology::drills
