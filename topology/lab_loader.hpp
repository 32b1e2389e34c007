#pragma once
// Loading a lab description: YAML text -> Lab, with every field's location recorded. YAML
// syntax errors, wrong types and unknown fields become diagnostics (never exceptions).

#include <optional>
#include <string>

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace vpnlab::topology {

struct LoadResult {
  std::optional<Lab> lab;  // absent only when the YAML itself could not be parsed
  Diagnostics diagnostics;
};

LoadResult load_lab_text(const std::string& yaml, const std::string& file);
/// Reads and loads a file; an unreadable file is an error diagnostic naming it.
LoadResult load_lab_file(const std::string& path);
/// The embedded reference lab (topology/default_lab.yaml).
const std::string& default_lab_yaml();
LoadResult load_default_lab();

}  // namespace vpnlab::topology
