#pragma once
// The reference lab's compiled gateway plans, for the FRR/BIRD node tests.
#include <gtest/gtest.h>

#include "topology/lab_loader.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology::nodes {

inline GatewayPlan reference_plan(const std::string& node) {
  auto loaded = load_lab_text(default_lab_yaml(), "lab.yaml");
  EXPECT_TRUE(loaded.lab.has_value());
  for (auto& g : compile(*loaded.lab).gateways) {
    if (g.node == node) return g;
  }
  ADD_FAILURE() << "no node " << node << " in the reference lab";
  return {};
}

}  // namespace vpnlab::topology::nodes
