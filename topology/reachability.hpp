#pragma once
// Real-packet reachability between lab namespaces: ICMP echo from a namespace to an
// address, over a raw socket opened inside that namespace (root only). Used by `vpnlab up`
// and `vpnlab status` to show that every public address reaches every other.

#include <chrono>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

/// Sends one ICMP echo from netns to target and waits up to timeout for the reply.
/// Returns the round-trip time, or an error saying what happened (timeout, unreachable).
Checked<std::chrono::microseconds> icmp_probe(const std::string& netns, Ipv4Address target,
                                              std::chrono::milliseconds timeout);

struct ProbeResult {
  std::string from_node;
  Ipv4Address to;
  std::string to_node;
  bool ok = false;
  std::chrono::microseconds rtt{0};
  std::string error;
};

/// Every gateway's public address probed from every other gateway namespace.
std::vector<ProbeResult> probe_public_mesh(const std::vector<GatewayPlan>& gateways,
                                           std::chrono::milliseconds timeout);

}  // namespace vpnlab::topology
