#pragma once
// The merged status document of a lab, as `vpnlab status --json` prints it: the consoles
// (merge_consoles), the underlay's namespaces present and every gateway's own document
// ("gateways": {node: document or null when it does not answer}). Shared by status,
// status --watch and graph.
#include <nlohmann/json.hpp>

#include "topology/model.hpp"
#include "topology/plan.hpp"

namespace vpnlab::cli {

struct LabStatus {
  nlohmann::json merged;  // consoles + "underlay" + "gateways"
  std::size_t namespaces_present = 0;
  std::size_t namespaces = 0;
  bool complete() const { return namespaces_present == namespaces; }
};

/// Asks every gateway (2 s timeout each: a stopped or restarting gateway answers null).
LabStatus collect_status(const topology::Lab& lab, const topology::LabPlan& plan);

/// "  azure-gw0 answering, azure-gw1 NOT ANSWERING (down or restarting), aws-vgw answering"
std::string gateways_line(const nlohmann::json& gateways);

}  // namespace vpnlab::cli
