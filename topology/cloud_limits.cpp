#include "topology/cloud_limits.hpp"

#include <array>
#include <string_view>

namespace vpnlab::topology {

ThroughputLimit aws_tunnel_limit(const std::string& tunnel_bandwidth) {
  // cloud-facts 1.3: "up to 1.25 Gbps (standard); up to 5 Gbps (large, not for VGW)" and
  // "up to 140,000 PPS" per tunnel; no packet rate is documented for large tunnels.
  if (tunnel_bandwidth == "large") return {5.0, 0, "per tunnel", "A-BW"};
  return {1.25, 140000, "per tunnel", "A-BLOG, A-BW"};
}

std::optional<ThroughputLimit> azure_sku_aggregate(const std::string& sku,
                                                   const std::string& generation) {
  struct Row {
    std::string_view sku;  // without the AZ suffix: the AZ SKUs share the row
    bool gen2;
    double gbps;
  };
  // cloud-facts 2.1 (Z-SKU), "Aggregate throughput benchmark".
  static constexpr std::array<Row, 8> kRows{{{"Basic", false, 0.1},
                                             {"VpnGw1", false, 0.65},
                                             {"VpnGw2", false, 1.0},
                                             {"VpnGw3", false, 1.25},
                                             {"VpnGw2", true, 1.25},
                                             {"VpnGw3", true, 2.5},
                                             {"VpnGw4", true, 5.0},
                                             {"VpnGw5", true, 10.0}}};
  std::string base = sku;
  if (base.size() > 2 && base.compare(base.size() - 2, 2, "AZ") == 0) base.resize(base.size() - 2);
  bool gen2 = generation == "Generation2";
  for (const auto& r : kRows) {
    if (r.sku == base && r.gen2 == gen2) return ThroughputLimit{r.gbps, 0, "aggregate", "Z-SKU"};
  }
  return std::nullopt;
}

}  // namespace vpnlab::topology
