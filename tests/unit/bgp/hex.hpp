#pragma once
// Test helper: golden bytes written as hex string literals, one field per line.
#include <stdexcept>
#include <string_view>

#include "base/bytes.hpp"

namespace vpnlab::bgp::test {

inline Bytes h(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b) throw std::invalid_argument("bad hex in test vector");
  return *b;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline const Bytes kMarker = h("ffffffffffffffffffffffffffffffff");

}  // namespace vpnlab::bgp::test
