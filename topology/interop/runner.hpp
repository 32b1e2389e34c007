#pragma once
// Runs one `vpnlab interop` case: writes the case's lab file, brings the lab up with the
// vpnlab binary itself (`vpnlab up/status/tunnel/down`, so the case exercises exactly what a
// user runs), executes the case's steps with a sequenced UDP stream VNet VM <-> VPC host
// where traffic matters, and takes the lab down on every path.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "topology/interop/matrix.hpp"

namespace vpnlab::topology::interop {

struct RunOptions {
  Side side = Side::azure;
  std::string peer = "strongswan+frr";  // what runs the side's gateway nodes
  std::string vpnlab_exe;               // this binary
  std::string work_dir;                 // lab files (0700: they hold PSKs)
  double time_factor = 0.1;             // DPD, hold timers, retransmits scaled (not lifetimes)
  double converge_wait_s = 90;
  bool keep = false;  // leave the lab up after the case (for a look with vpnlab status)
  std::function<void(const std::string&)> progress;  // one line per step
};

struct StepResult {
  Step step;
  bool ok = false;
  std::string detail;
  std::uint64_t probes_sent = 0, probes_lost = 0;
  double longest_gap_ms = 0;
  double seconds = 0;
};

struct CaseResult {
  std::string name, what, side, peer, lab;
  bool ok = false;
  bool skipped = false;  // the real software cannot express the case (reason says why)
  std::string reason;    // the first failure, or why skipped
  std::vector<std::string> ike_suites, esp_suites;  // negotiated, as strongSwan spells them
  std::uint64_t probes_sent = 0, probes_lost = 0;
  double seconds = 0;
  std::vector<StepResult> steps;
};

CaseResult run_case(const Case& c, const RunOptions& options, int index);

nlohmann::json to_json(const CaseResult& r);

}  // namespace vpnlab::topology::interop
