#pragma once
// `vpnlab verify`'s result: a checklist of named checks, each PASS or FAIL with what was seen
// and, for a failure, the likely causes derived from the evidence (the tunnel's last error,
// the BGP peer's last error, the lab's configuration).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vpnlab::topology::verify {

struct Check {
  std::string group;  // "Azure console", "AWS console", "data path", "routes"
  std::string name;   // "connection AWSTunnel1ToInstance0 Connected"
  bool pass = false;
  std::string detail;               // what was seen
  std::vector<std::string> causes;  // failures only: likely causes, most likely first
};

struct Report {
  std::string lab;
  std::vector<Check> checks;
  void add(Check c) { checks.push_back(std::move(c)); }
  std::size_t failures() const;
  bool ok() const { return failures() == 0; }
};

nlohmann::json to_json(const Report& r);
/// The checklist, grouped, "PASS name - detail" / "FAIL name - detail" with causes under it.
std::string format_checklist(const Report& r);

}  // namespace vpnlab::topology::verify
