#include "topology/probe_report.hpp"

#include <cstdio>

namespace vpnlab::topology {
namespace {

nlohmann::json direction_json(const DirectionReport& d) {
  nlohmann::json runs = nlohmann::json::array();
  for (const LossRun& l : d.loss_runs) {
    runs.push_back({{"first_seq", l.first_seq},
                    {"packets", l.packets},
                    {"at_ms", l.at_ms},
                    {"duration_ms", l.duration_ms}});
  }
  return {{"sent", d.sent},
          {"received", d.received},
          {"lost", d.lost},
          {"duplicates", d.duplicates},
          {"reordered", d.reordered},
          {"longest_gap_ms", d.longest_gap_ms},
          {"loss_runs", std::move(runs)},
          {"loss_runs_dropped", d.loss_runs_dropped}};
}

std::string direction_text(const DirectionReport& d, const std::string& from,
                           const std::string& to) {
  char line[256];
  std::snprintf(
      line, sizeof line,
      "  %s -> %s: sent %llu, received %llu, lost %llu (%zu runs, longest %.0f ms), "
      "duplicates %llu, reordered %llu\n",
      from.c_str(), to.c_str(), static_cast<unsigned long long>(d.sent),
      static_cast<unsigned long long>(d.received), static_cast<unsigned long long>(d.lost),
      d.loss_runs.size() + static_cast<std::size_t>(d.loss_runs_dropped), d.longest_gap_ms,
      static_cast<unsigned long long>(d.duplicates), static_cast<unsigned long long>(d.reordered));
  return line;
}

}  // namespace

nlohmann::json probe_report_json(const ProbeReport& r, int rate_pps) {
  return {{"started_unix_ms", r.started_unix_ms},
          {"rate_pps", rate_pps},
          {"a_to_b", direction_json(r.a_to_b)},
          {"b_to_a", direction_json(r.b_to_a)}};
}

std::string probe_report_text(const ProbeReport& r, const std::string& a, const std::string& b) {
  return direction_text(r.a_to_b, a, b) + direction_text(r.b_to_a, b, a);
}

}  // namespace vpnlab::topology
