#include "topology/verify/report.hpp"

namespace vpnlab::topology::verify {

std::size_t Report::failures() const {
  std::size_t n = 0;
  for (const auto& c : checks) n += c.pass ? 0 : 1;
  return n;
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : r.checks) {
    checks.push_back({{"group", c.group},
                      {"check", c.name},
                      {"result", c.pass ? "PASS" : "FAIL"},
                      {"detail", c.detail},
                      {"causes", c.causes}});
  }
  return {{"lab", r.lab},
          {"passed", r.checks.size() - r.failures()},
          {"failed", r.failures()},
          {"ok", r.ok()},
          {"checks", checks}};
}

std::string format_checklist(const Report& r) {
  std::string out;
  std::string group;
  for (const auto& c : r.checks) {
    if (c.group != group) {
      group = c.group;
      out += (out.empty() ? "" : "\n") + group + "\n";
    }
    out += std::string(c.pass ? "  PASS  " : "  FAIL  ") + c.name;
    if (!c.detail.empty()) out += " - " + c.detail;
    out += "\n";
    for (const auto& cause : c.causes) out += "        cause: " + cause + "\n";
  }
  out += "\n" + std::to_string(r.checks.size() - r.failures()) + "/" +
         std::to_string(r.checks.size()) + " checks passed";
  if (!r.ok()) out += ", " + std::to_string(r.failures()) + " failed";
  return out + "\n";
}

}  // namespace vpnlab::topology::verify
