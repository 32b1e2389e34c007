#pragma once
// The probe stream's report as JSON (what `vpnlab probe --json` prints and soaks read) and
// as text.
#include <nlohmann/json.hpp>
#include <string>

#include "topology/probe_stream.hpp"

namespace vpnlab::topology {

/// {"started_unix_ms", "rate_pps", "a_to_b": {sent, received, lost, duplicates, reordered,
/// longest_gap_ms, loss_runs: [{first_seq, packets, at_ms, duration_ms}], loss_runs_dropped},
/// "b_to_a": {...}}. at_ms counts from started_unix_ms.
nlohmann::json probe_report_json(const ProbeReport& r, int rate_pps);

/// Two lines, one per direction: sent, lost, longest gap, runs of losses.
std::string probe_report_text(const ProbeReport& r, const std::string& a, const std::string& b);

}  // namespace vpnlab::topology
