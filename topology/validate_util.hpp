#pragma once
// Small helpers shared by the validate_*.cpp rule files.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "topology/diagnostics.hpp"

namespace vpnlab::topology {

/// The known name closest to value (edit distance), or "" when none is close: for "did you
/// mean" (topology/yaml_reader.cpp).
std::string nearest_name(const std::string& value, const std::vector<std::string>& known);

inline std::string idx(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

/// Parses a CIDR field, reporting a clear error when it is not one.
inline std::optional<Ipv4Prefix> cidr_field(const Lab& lab, Diagnostics& d, const std::string& path,
                                            const std::string& text) {
  if (text.empty()) {
    d.error(lab, path, "missing; expected an IPv4 CIDR such as 10.1.0.0/16");
    return std::nullopt;
  }
  auto p = Ipv4Prefix::parse(text);
  if (!p) {
    if (auto loose = Ipv4Prefix::parse(text, false)) {
      d.error(lab, path,
              "'" + text + "' has host bits set; did you mean " +
                  Ipv4Prefix{loose->network(), loose->length}.to_string() + "?");
    } else {
      d.error(lab, path, "'" + text + "' is not an IPv4 CIDR (expected a.b.c.d/len)");
    }
  }
  return p;
}

inline std::optional<Ipv4Address> address_field(const Lab& lab, Diagnostics& d,
                                                const std::string& path, const std::string& text) {
  if (text.empty()) {
    d.error(lab, path, "missing; expected an IPv4 address");
    return std::nullopt;
  }
  auto a = Ipv4Address::parse(text);
  if (!a) d.error(lab, path, "'" + text + "' is not an IPv4 address (expected a.b.c.d)");
  return a;
}

template <typename T>
bool one_of(const T& value, std::initializer_list<T> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

inline std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace vpnlab::topology
