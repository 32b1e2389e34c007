#pragma once
// Helpers: the embedded default lab, mutated by text replacement, loaded and validated.
#include <gtest/gtest.h>

#include <string>

#include "topology/lab_loader.hpp"
#include "topology/validate.hpp"

namespace vpnlab::topology {

/// The default lab YAML with every occurrence of `from` replaced by `to` (the replacement
/// must happen at least once, or the test itself is wrong).
inline std::string mutated(const std::string& from, const std::string& to, int max_count = 1) {
  std::string text = default_lab_yaml();
  int done = 0;
  for (std::size_t at = text.find(from); at != std::string::npos && done < max_count;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++done;
  }
  EXPECT_GT(done, 0) << "mutation did not apply: " << from;
  return text;
}

/// Loads and validates; load and validation findings together.
inline Diagnostics check_text(const std::string& yaml) {
  auto loaded = load_lab_text(yaml, "lab.yaml");
  Diagnostics all = loaded.diagnostics;
  if (loaded.lab) {
    Diagnostics found = validate(*loaded.lab);
    for (const auto& d : found.items()) all.add_at(d.severity, d.path, d.where, d.message);
  }
  return all;
}

inline const Diagnostic* find_diag(const Diagnostics& d, Severity s, const std::string& path_part,
                                   const std::string& msg_part) {
  for (const auto& item : d.items()) {
    if (item.severity == s && item.path.find(path_part) != std::string::npos &&
        item.message.find(msg_part) != std::string::npos) {
      return &item;
    }
  }
  return nullptr;
}

}  // namespace vpnlab::topology
