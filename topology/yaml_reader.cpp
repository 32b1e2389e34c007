#include "topology/yaml_reader.hpp"

#include <algorithm>

namespace vpnlab::topology {
namespace {

// Levenshtein distance, for "did you mean" on misspelled field names.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string nearest_name(const std::string& value, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(4, value.size() / 3);
  for (const auto& k : known) {
    std::size_t d = edit_distance(value, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

SourceLocation location_of(const YAML::Node& node) {
  auto m = node.Mark();
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

YamlReader::YamlReader(const YAML::Node& node, std::string path, SourceMap& where,
                       Diagnostics& diags)
    : node_(node), path_(std::move(path)), where_(where), diags_(diags) {
  if (!path_.empty()) where_[path_] = location_of(node_);
}

std::string YamlReader::child_path(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

bool YamlReader::has(const char* key) const {
  return node_.IsMap() && node_[key];
}

YAML::Node YamlReader::field(const char* key) {
  asked_.insert(key);
  if (!node_.IsMap()) return YAML::Node();
  YAML::Node n = node_[key];
  if (n) where_[child_path(key)] = location_of(n);
  return n;
}

void YamlReader::type_error(const char* key, const YAML::Node& n, const char* expected) {
  diags_.add_at(Severity::error, child_path(key), location_of(n),
                std::string("expected ") + expected);
}

void YamlReader::str(const char* key, std::string& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsScalar()) return type_error(key, n, "a string");
  out = n.Scalar();
}

void YamlReader::i64(const char* key, std::int64_t& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  try {
    out = n.as<std::int64_t>();
  } catch (const YAML::Exception&) {
    type_error(key, n, "an integer");
  }
}

void YamlReader::real(const char* key, double& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  try {
    out = n.as<double>();
  } catch (const YAML::Exception&) {
    type_error(key, n, "a number");
  }
}

void YamlReader::boolean(const char* key, bool& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  try {
    out = n.as<bool>();
  } catch (const YAML::Exception&) {
    type_error(key, n, "true or false");
  }
}

void YamlReader::secret(const char* key, SecretBytes& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsScalar()) return type_error(key, n, "a string");
  out = SecretBytes(std::string_view(n.Scalar()));
}

void YamlReader::str_list(const char* key, std::vector<std::string>& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) return type_error(key, n, "a list of strings");
  out.clear();
  for (std::size_t i = 0; i < n.size(); ++i) {
    where_[child_path(key) + "[" + std::to_string(i) + "]"] = location_of(n[i]);
    if (!n[i].IsScalar()) return type_error(key, n[i], "a list of strings");
    out.push_back(n[i].Scalar());
  }
}

void YamlReader::i64_list(const char* key, std::vector<std::int64_t>& out) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) return type_error(key, n, "a list of integers");
  out.clear();
  for (std::size_t i = 0; i < n.size(); ++i) {
    where_[child_path(key) + "[" + std::to_string(i) + "]"] = location_of(n[i]);
    try {
      out.push_back(n[i].as<std::int64_t>());
    } catch (const YAML::Exception&) {
      return type_error(key, n[i], "a list of integers");
    }
  }
}

void YamlReader::object(const char* key, const std::function<void(YamlReader&)>& fn) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsMap()) return type_error(key, n, "a mapping of fields");
  YamlReader child(n, child_path(key), where_, diags_);
  fn(child);
  child.finish();
}

void YamlReader::list(const char* key, const std::function<void(YamlReader&)>& fn) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) return type_error(key, n, "a list");
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string item_path = child_path(key) + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      diags_.add_at(Severity::error, item_path, location_of(n[i]), "expected a mapping of fields");
      continue;
    }
    YamlReader item(n[i], item_path, where_, diags_);
    fn(item);
    item.finish();
  }
}

void YamlReader::named_objects(const char* key,
                               const std::function<void(const std::string&, YamlReader&)>& fn) {
  YAML::Node n = field(key);
  if (!n || n.IsNull()) return;
  if (!n.IsMap()) return type_error(key, n, "a mapping of names to fields");
  for (const auto& kv : n) {
    std::string name = kv.first.Scalar();
    std::string item_path = child_path(key) + "." + name;
    if (!kv.second.IsMap()) {
      diags_.add_at(Severity::error, item_path, location_of(kv.second),
                    "expected a mapping of fields");
      continue;
    }
    YamlReader item(kv.second, item_path, where_, diags_);
    where_[item_path] = location_of(kv.first);
    fn(name, item);
    item.finish();
  }
}

void YamlReader::finish() {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    std::string key = kv.first.Scalar();
    if (asked_.count(key)) continue;
    std::string best;
    std::size_t best_d = 4;
    for (const auto& known : asked_) {
      std::size_t d = edit_distance(key, known);
      if (d < best_d) best_d = d, best = known;
    }
    std::string msg = "unknown field '" + key + "'";
    msg += best.empty() ? " (not part of the lab format)" : "; did you mean '" + best + "'?";
    diags_.add_at(Severity::error, child_path(key.c_str()), location_of(kv.first), msg);
  }
}

}  // namespace vpnlab::topology
