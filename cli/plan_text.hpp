#pragma once
// Human-readable rendering of a gateway plan (PSKs never printed).
#include <string>

#include "topology/plan.hpp"

namespace vpnlab::cli {
std::string plan_summary(const topology::GatewayPlan& g);
}
