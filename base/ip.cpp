#include "base/ip.hpp"

#include <charconv>

namespace vpnlab {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  std::uint32_t value = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    // No empty octets, no values over 255, no leading zeros ("010" is ambiguous: octal?).
    if (ec != std::errc{} || v > 255 || next == p || (next - p > 1 && *p == '0')) {
      return std::nullopt;
    }
    value = (value << 8) | v;
    p = next;
  }
  if (p != end) return std::nullopt;
  return Ipv4Address{value};
}

std::string Ipv4Address::to_string() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text, bool strict) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4Address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  auto len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [next, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc{} || next != len_text.data() + len_text.size() || len > 32 ||
      len_text.empty()) {
    return std::nullopt;
  }
  Ipv4Prefix p{*addr, static_cast<std::uint8_t>(len)};
  if (strict && p.network() != *addr) return std::nullopt;
  return p;
}

std::string Ipv4Prefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

}  // namespace vpnlab
