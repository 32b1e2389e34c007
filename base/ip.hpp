#pragma once
// IPv4 addresses and prefixes as types (not bare integers), parsed from and printed to
// dotted quads. Host byte order inside; to/from network order at the socket boundary.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpnlab {

struct Ipv4Address {
  std::uint32_t value = 0;  // host byte order

  static std::optional<Ipv4Address> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const Ipv4Address&) const = default;
  Ipv4Address next(std::uint32_t n = 1) const { return Ipv4Address{value + n}; }
};

struct Ipv4Prefix {
  Ipv4Address address;  // network address (host bits zero once normalized)
  std::uint8_t length = 0;

  /// Parses "a.b.c.d/len". With strict, host bits must be zero (a CIDR, not an address).
  static std::optional<Ipv4Prefix> parse(std::string_view text, bool strict = true);
  std::string to_string() const;
  std::uint32_t mask() const { return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length); }
  Ipv4Address network() const { return Ipv4Address{address.value & mask()}; }
  Ipv4Address last() const { return Ipv4Address{network().value | ~mask()}; }
  std::uint64_t size() const { return std::uint64_t{1} << (32 - length); }
  bool contains(Ipv4Address a) const { return (a.value & mask()) == network().value; }
  bool contains(const Ipv4Prefix& p) const { return p.length >= length && contains(p.address); }
  bool overlaps(const Ipv4Prefix& p) const { return contains(p) || p.contains(*this); }
  auto operator<=>(const Ipv4Prefix&) const = default;
};

}  // namespace vpnlab
