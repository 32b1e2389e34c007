#include "topology/diagnostics.hpp"

#include <algorithm>

namespace vpnlab::topology {

SourceLocation locate(const SourceMap& where, const std::string& path) {
  std::string p = path;
  while (!p.empty()) {
    auto it = where.find(p);
    if (it != where.end()) return it->second;
    auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return {};
}

void Diagnostics::add(Severity s, const Lab& lab, const std::string& path, std::string message) {
  items_.push_back({s, path, locate(lab.where, path), std::move(message)});
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::string Diagnostics::format(const std::string& file) const {
  std::string out;
  for (const auto& d : items_) {
    out += file;
    if (d.where.line > 0) {
      out += ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column);
    }
    out += d.severity == Severity::error ? ": error: " : ": warning: ";
    if (!d.path.empty()) out += d.path + ": ";
    out += d.message + "\n";
  }
  return out;
}

}  // namespace vpnlab::topology
