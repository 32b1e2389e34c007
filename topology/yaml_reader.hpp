#pragma once
// Reads one YAML mapping into model fields while recording where each field was written and
// reporting type errors and unknown fields (with a "did you mean" for near misses). Private
// to the loader; yaml-cpp exceptions never leave it.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace vpnlab::topology {

class YamlReader {
 public:
  YamlReader(const YAML::Node& node, std::string path, SourceMap& where, Diagnostics& diags);

  void str(const char* key, std::string& out);
  void i64(const char* key, std::int64_t& out);
  void real(const char* key, double& out);
  void boolean(const char* key, bool& out);
  void secret(const char* key, SecretBytes& out);
  void str_list(const char* key, std::vector<std::string>& out);
  void i64_list(const char* key, std::vector<std::int64_t>& out);
  /// A mapping field; fn reads its members. A missing key leaves defaults.
  void object(const char* key, const std::function<void(YamlReader&)>& fn);
  /// A sequence of mappings; fn reads each item (the item's index is in its path).
  void list(const char* key, const std::function<void(YamlReader&)>& fn);
  /// A mapping whose keys are names the user chooses (e.g. node names); fn reads each value,
  /// which must be a mapping (its path is "<key>.<name>").
  void named_objects(const char* key,
                     const std::function<void(const std::string&, YamlReader&)>& fn);
  bool has(const char* key) const;
  /// Reports every key of this mapping that no call above asked for.
  void finish();

  const std::string& path() const { return path_; }

 private:
  YAML::Node field(const char* key);
  std::string child_path(const char* key) const;
  void type_error(const char* key, const YAML::Node& n, const char* expected);

  YAML::Node node_;
  std::string path_;
  SourceMap& where_;
  Diagnostics& diags_;
  std::set<std::string> asked_;
};

SourceLocation location_of(const YAML::Node& node);

}  // namespace vpnlab::topology
