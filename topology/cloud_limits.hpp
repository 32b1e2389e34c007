#pragma once
// The clouds' documented throughput limits, for `vpnlab bench` (printed next to what the lab
// measured) and for limit emulation. Each figure cites its row in shared/cloud-facts.md.

#include <cstdint>
#include <optional>
#include <string>

namespace vpnlab::topology {

struct ThroughputLimit {
  double gbps = 0;        // 0: not documented
  std::uint64_t pps = 0;  // 0: not documented
  std::string scope;      // "per tunnel", "aggregate"
  std::string source;     // cloud-facts source tag(s)
};

/// AWS Site-to-Site VPN, per tunnel (cloud-facts 1.3, A-BLOG, A-BW): standard 1.25 Gbps and
/// 140,000 packets per second; `large` 5 Gbps, but not on a virtual private gateway.
ThroughputLimit aws_tunnel_limit(const std::string& tunnel_bandwidth = "standard");

/// Azure VPN gateway SKU aggregate throughput benchmark (cloud-facts 2.1, Z-SKU): S2S + P2S
/// over all tunnels, not guaranteed. nullopt for a SKU/generation the table does not list.
std::optional<ThroughputLimit> azure_sku_aggregate(const std::string& sku,
                                                   const std::string& generation);

}  // namespace vpnlab::topology
