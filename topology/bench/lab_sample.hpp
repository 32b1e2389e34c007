#pragma once
// A snapshot of what the running lab's gateways have carried: each tunnel's dataplane
// counters (as the gateway's status reports them) and each gateway process's CPU time, so
// that `vpnlab bench` can attribute a run to tunnels and CPU by the difference of two samples.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "topology/plan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::bench {

struct TunnelCount {
  std::string node, device, name;  // the gateway whose view this is, aws0t1, its cloud name
  bool aws_side = false;
  std::uint64_t tx_bytes = 0, tx_packets = 0, rx_bytes = 0, rx_packets = 0;
};

struct LabSample {
  std::chrono::steady_clock::time_point at;
  std::vector<TunnelCount> tunnels;           // every vpnlab gateway's view of its tunnels
  std::map<std::string, double> cpu_seconds;  // node -> user + system CPU of its process
  std::vector<std::string> errors;            // gateways that could not be read
};

/// Reads every vpnlab-run gateway of the plan (nodes run by real software are skipped: their
/// counters are not ours).
LabSample sample_lab(const LabPlan& plan, const RunPaths& paths);

/// What each tunnel carried between two samples, from one gateway's view; CPU per node.
struct SampleDelta {
  double seconds = 0;
  std::vector<TunnelCount> tunnels;
  std::map<std::string, double> cpu_seconds;
};
SampleDelta operator-(const LabSample& later, const LabSample& earlier);

/// user + system CPU seconds of a process from /proc/<pid>/stat; 0 if it cannot be read.
double process_cpu_seconds(int pid);

}  // namespace vpnlab::topology::bench
