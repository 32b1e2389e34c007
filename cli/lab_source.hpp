#pragma once
// Where a command's lab comes from: a file, the copy `vpnlab up` saved for a named lab in
// the run directory, or the embedded default lab.
#include <optional>
#include <string>

#include "topology/lab_loader.hpp"
#include "topology/plan.hpp"

namespace vpnlab::cli {

inline constexpr const char* kRunDir = "/run/vpnlab";

struct LabSource {
  std::string file;  // empty: --lab name or the default lab
  std::string lab_name;
};

/// Loads and validates; prints findings to stderr. nullopt when the lab has errors.
std::optional<topology::Lab> load_valid_lab(const LabSource& src, bool quiet_warnings = false);
std::string run_dir(const std::string& lab_name);
/// This vpnlab binary's path (for starting gateways and the supervisor as `up` does).
std::string self_exe();
/// The lab description text with PSK values replaced by <redacted>.
std::string redact_secrets(const std::string& yaml);

}  // namespace vpnlab::cli
