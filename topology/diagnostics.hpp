#pragma once
// Validation and loading findings: each names the file, line, column and field path, says
// what is wrong and what would be right. Printed like a compiler:
//   lab.yaml:88:20: error: azure.connections[2].shared_key: must equal the PSK of AWS tunnel
//   ToAzureInstance1.tunnel1 (the tunnel its local network gateway names)

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace vpnlab::topology {

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string path;  // field path, e.g. aws.vpn_connections[0].tunnels[1].inside_cidr
  SourceLocation where;
  std::string message;
};

class Diagnostics {
 public:
  void error(const Lab& lab, const std::string& path, std::string message) {
    add(Severity::error, lab, path, std::move(message));
  }
  void warning(const Lab& lab, const std::string& path, std::string message) {
    add(Severity::warning, lab, path, std::move(message));
  }
  void add(Severity s, const Lab& lab, const std::string& path, std::string message);
  void add_at(Severity s, const std::string& path, SourceLocation where, std::string message) {
    items_.push_back({s, path, where, std::move(message)});
  }

  const std::vector<Diagnostic>& items() const { return items_; }
  std::size_t error_count() const;
  std::size_t warning_count() const { return items_.size() - error_count(); }
  bool ok() const { return error_count() == 0; }
  /// All findings, one per line, "file:line:col: error: path: message".
  std::string format(const std::string& file) const;

 private:
  std::vector<Diagnostic> items_;
};

/// The location recorded for path, or for its closest recorded parent (a missing field is
/// reported where its enclosing object was written).
SourceLocation locate(const SourceMap& where, const std::string& path);

}  // namespace vpnlab::topology
