#include "bgp/codec/notification_data.hpp"

#include <cstdio>

namespace vpnlab::bgp {
namespace {

std::string afi_safi_text(std::uint16_t afi, std::uint8_t safi) {
  std::string a = afi == static_cast<std::uint16_t>(Afi::ipv4)   ? "IPv4"
                  : afi == static_cast<std::uint16_t>(Afi::ipv6) ? "IPv6"
                                                                 : "AFI " + std::to_string(afi);
  std::string s = safi == static_cast<std::uint8_t>(Safi::unicast) ? "unicast"
                  : safi == static_cast<std::uint8_t>(Safi::multicast)
                      ? "multicast"
                      : "SAFI " + std::to_string(safi);
  return a + " " + s;
}

std::string hex_data(const Bytes& d) {
  return "data " + to_hex(ByteSpan(d));
}

// RFC 4486 §4: AFI (2 octets), SAFI (1), prefix upper bound (4); the data is optional.
std::string max_prefix_data(const Bytes& d) {
  if (d.size() != 7) return hex_data(d) + " (RFC 4486 §4 expects 7 octets)";
  std::uint16_t afi = static_cast<std::uint16_t>((d[0] << 8) | d[1]);
  std::uint32_t bound = 0;
  for (int i = 3; i < 7; ++i) bound = (bound << 8) | d[i];
  return afi_safi_text(afi, d[2]) + ", upper bound " + std::to_string(bound);
}

// RFC 9003 §2 (was RFC 8203): Shutdown Communication, a length octet and UTF-8 text.
std::string shutdown_data(const Bytes& d) {
  std::size_t len = d[0];
  if (len + 1 > d.size()) return hex_data(d) + " (shutdown communication length past the data)";
  std::string text;
  for (std::size_t i = 1; i <= len; ++i) {
    text += d[i] < 0x20 ? '?' : static_cast<char>(d[i]);
  }
  return "\"" + text + "\"";
}

std::uint32_t be_value(const Bytes& d) {
  std::uint32_t v = 0;
  for (const auto b : d) v = (v << 8) | b;
  return v;
}

// RFC 4271 §6.1-§6.2: data carrying one number (the bad length, type, version, peer AS).
std::string numeric_data(const Notification& n, const Bytes& d) {
  auto code = static_cast<ErrorCode>(n.code);
  if (code == ErrorCode::message_header && d.size() == 2 &&
      n.subcode == static_cast<std::uint8_t>(HeaderSubcode::bad_message_length))
    return "length " + std::to_string(be_value(d));
  if (code == ErrorCode::message_header && d.size() == 1 &&
      n.subcode == static_cast<std::uint8_t>(HeaderSubcode::bad_message_type))
    return "type " + std::to_string(be_value(d));
  if (code == ErrorCode::open_message && d.size() == 2 &&
      n.subcode == static_cast<std::uint8_t>(OpenSubcode::unsupported_version_number))
    return "version " + std::to_string(be_value(d)) + " supported";
  if (code == ErrorCode::open_message && (d.size() == 2 || d.size() == 4) &&
      n.subcode == static_cast<std::uint8_t>(OpenSubcode::bad_peer_as))
    return "AS " + std::to_string(be_value(d));
  return "";
}

}  // namespace

std::string notification_name(const Notification& n) {
  // RFC 4271 §6.5: Hold Timer Expired defines no subcodes.
  if (n.code == static_cast<std::uint8_t>(ErrorCode::hold_timer_expired) && n.subcode == 0)
    return error_code_name(n.code);
  return std::string(error_code_name(n.code)) + "/" + error_subcode_name(n.code, n.subcode);
}

std::string describe_notification_data(const Notification& n) {
  const Bytes& d = n.data;
  if (d.empty()) return "";
  if (n.code == static_cast<std::uint8_t>(ErrorCode::cease)) {
    auto sub = static_cast<CeaseSubcode>(n.subcode);
    if (sub == CeaseSubcode::maximum_number_of_prefixes_reached) return max_prefix_data(d);
    if (sub == CeaseSubcode::administrative_shutdown || sub == CeaseSubcode::administrative_reset)
      return shutdown_data(d);
  }
  if (std::string s = numeric_data(n, d); !s.empty()) return s;
  return hex_data(d);
}

}  // namespace vpnlab::bgp
