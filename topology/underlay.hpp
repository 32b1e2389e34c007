#pragma once
// Building and removing the lab's underlay (namespaces, veths, bridges, addresses, routes,
// forwarding) from an UnderlayPlan, through netlink - never by shelling out to `ip`.
//
// Both directions are safe to repeat: `up` creates only what is missing and says what it
// found; `down` removes the plan's namespaces (exactly those names, nothing else with a
// similar prefix) and says when there was nothing to remove.

#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

struct UnderlayReport {
  std::vector<std::string> created;  // namespaces made by this call
  std::vector<std::string> found;    // namespaces that already existed
  std::vector<std::string> removed;
};

Checked<UnderlayReport> underlay_up(const UnderlayPlan& plan);
Checked<UnderlayReport> underlay_down(const UnderlayPlan& plan);
/// True when every namespace of the plan exists.
bool underlay_present(const UnderlayPlan& plan);

}  // namespace vpnlab::topology
