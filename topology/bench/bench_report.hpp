#pragma once
// `vpnlab bench`'s results: per case the iperf3 figure, each tunnel's share from the
// dataplane counters, the gateways' CPU per GB, and the clouds' documented limits beside
// them. Text for people, JSON for scripts; both pure.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "topology/bench/iperf.hpp"
#include "topology/bench/lab_sample.hpp"
#include "topology/cloud_limits.hpp"

namespace vpnlab::topology::bench {

/// One tunnel's part of a case, in the direction the case sends.
struct TunnelShare {
  std::string device, name, seen_at;      // seen_at: the gateway whose counters these are
  std::uint64_t bytes = 0;                // inner bytes, as the gateway counted them
  double gbps = 0, kpps = 0, share = 0;   // share of the case's bytes over all tunnels, 0..1
  double limit_gbps = 0, limit_kpps = 0;  // the tunnel's emulated limit (0: none)
  /// Within 5 % of (or under) each emulated limit; true when there is none.
  bool within_limit() const {
    return (limit_gbps <= 0 || gbps <= limit_gbps * 1.05) &&
           (limit_kpps <= 0 || kpps <= limit_kpps * 1.05);
  }
  /// How much of its limit the tunnel used: the larger of its bit-rate and packet-rate
  /// fractions; 0 without a limit.
  double limit_use() const {
    double g = limit_gbps > 0 ? gbps / limit_gbps : 0, k = limit_kpps > 0 ? kpps / limit_kpps : 0;
    return g > k ? g : k;
  }
  /// "held at 98 % of it" (at least 90 % used: the limit was reached and held), "not reached
  /// (61 % of it)", or "EXCEEDED (112 % of it)".
  std::string limit_verdict() const;
};

struct BenchCase {
  std::string title;        // "TCP, 1 stream"
  bool vnet_to_vpc = true;  // direction
  IperfCase iperf;
  std::optional<IperfResult> result;
  bool limit_probe = false;  // offered above a tunnel's emulated limit, to show it held
  /// Offered by vpnlab's own paced UDP_SEGMENT generator (udp_flood.hpp), not iperf3: a
  /// limit probe must offer more than iperf3's one-datagram-per-call sender can.
  bool own_generator = false;
  std::string error;  // why there is no result
  /// Why the case ran more than once (the first attempt's failure), empty when it did not.
  std::string retried;
  std::vector<TunnelShare> tunnels;  // those that carried >= 1 % of the case's bytes
  /// Each Azure instance whose SKU aggregate is emulated and that carried some of the case:
  /// its tunnels' sum (device = the node, name "SKU aggregate", limit_gbps = the SKU figure).
  std::vector<TunnelShare> aggregates;
  std::map<std::string, double> cpu_seconds_per_gb;  // node -> CPU s per GB carried
};

struct BenchReport {
  std::string lab;
  std::string vm, host;  // addresses
  int seconds = 0, streams = 0;
  ThroughputLimit aws_per_tunnel;
  std::optional<ThroughputLimit> azure_aggregate;
  std::string azure_sku;
  bool limits_emulated = false;
  std::vector<BenchCase> cases;
};

/// Attributes one case's counter delta to tunnels: for traffic VNet -> VPC the bytes the
/// VGW decrypted (Azure's ECMP choice), for VPC -> VNet those it encrypted (its path
/// choice); a tunnel whose VGW is not a vpnlab gateway is read at the Azure end instead.
/// Rates are over `seconds` (the iperf3 run's own duration), else over the samples' interval.
std::vector<TunnelShare> tunnel_shares(const SampleDelta& d, bool vnet_to_vpc, double seconds = 0);

std::string render_text(const BenchReport& r);
std::string render_json(const BenchReport& r);

}  // namespace vpnlab::topology::bench
