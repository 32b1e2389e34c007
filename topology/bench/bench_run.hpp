#pragma once
// `vpnlab bench`: iperf3 between the VNet VM and the VPC host through the running lab - TCP
// with 1 and N streams in both directions, then 64-byte UDP for the packet rate - with each
// case attributed to tunnels and gateway CPU by the gateways' own counters.

#include <functional>
#include <string>

#include "topology/bench/bench_report.hpp"
#include "topology/model.hpp"
#include "topology/plan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::bench {

struct BenchOptions {
  int seconds = 5;
  int streams = 4;
  std::uint16_t port = 5201;
  /// A tunnel's emulated limits (bit rate, packet rate): when set, one more case per limit
  /// offers 1.5 times it VPC host -> VNet VM, where the VGW's path choice puts the whole flow
  /// on one tunnel.
  double limit_probe_gbps = 0;
  double limit_probe_pps = 0;
  std::function<void(const std::string&)> progress;  // "[2/6] TCP, 1 stream, ..." per case
};

/// The six cases (TCP 1 and N streams, 64-byte UDP with N streams, both directions), then
/// the limit probes.
std::vector<BenchCase> bench_cases(const BenchOptions& opt);

/// Runs every case against the lab `plan` describes (it must be up); a case that fails
/// carries its error and the others still run.
BenchReport run_bench(const Lab& lab, const LabPlan& plan, const RunPaths& paths,
                      const BenchOptions& opt);

}  // namespace vpnlab::topology::bench
