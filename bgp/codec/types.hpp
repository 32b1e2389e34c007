#pragma once
// BGP-4 protocol identifiers as types (RFC 4271 §4, IANA "BGP Parameters" registries): one
// enum class per registry with values equal to the IANA number, and small value types for
// ASNs and AFI/SAFI so that no bare integer crosses a module boundary.

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>

namespace vpnlab::bgp {

/// An autonomous system number, always held in its 4-octet form (RFC 6793).
struct Asn {
  std::uint32_t value = 0;
  auto operator<=>(const Asn&) const = default;
  bool fits_two_octets() const { return value <= 0xffff; }
};
/// RFC 6793 §9: AS_TRANS, sent in 2-octet fields for ASNs that do not fit.
inline constexpr Asn kAsTrans{23456};

/// Hold time in seconds (RFC 4271 §4.2: 0 or at least 3).
using Seconds = std::chrono::seconds;

/// RFC 4271 §4.1 message types; route_refresh from RFC 2918 §3.
enum class MessageType : std::uint8_t {
  open = 1,
  update = 2,
  notification = 3,
  keepalive = 4,
  route_refresh = 5,
};
const char* to_string(MessageType t);

/// RFC 4271 §4.1: header is 16 octets of marker, 2 of length, 1 of type.
inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMaxMessageSize = 4096;

/// RFC 4760 §3/§4 address family and subsequent address family identifiers.
enum class Afi : std::uint16_t { ipv4 = 1, ipv6 = 2 };
enum class Safi : std::uint8_t { unicast = 1, multicast = 2 };
struct AfiSafi {
  Afi afi = Afi::ipv4;
  Safi safi = Safi::unicast;
  auto operator<=>(const AfiSafi&) const = default;
};
inline constexpr AfiSafi kIpv4Unicast{Afi::ipv4, Safi::unicast};

/// RFC 4271 §4.5 NOTIFICATION error codes (+ RFC 7313 ROUTE-REFRESH message error).
enum class ErrorCode : std::uint8_t {
  message_header = 1,
  open_message = 2,
  update_message = 3,
  hold_timer_expired = 4,
  fsm = 5,
  cease = 6,
  route_refresh_message = 7,
};
enum class HeaderSubcode : std::uint8_t {
  connection_not_synchronized = 1,
  bad_message_length = 2,
  bad_message_type = 3,
};
enum class OpenSubcode : std::uint8_t {
  unspecific = 0,
  unsupported_version_number = 1,
  bad_peer_as = 2,
  bad_bgp_identifier = 3,
  unsupported_optional_parameter = 4,
  unacceptable_hold_time = 6,
  unsupported_capability = 7,  // RFC 5492 §5
};
enum class UpdateSubcode : std::uint8_t {
  malformed_attribute_list = 1,
  unrecognized_well_known_attribute = 2,
  missing_well_known_attribute = 3,
  attribute_flags_error = 4,
  attribute_length_error = 5,
  invalid_origin_attribute = 6,
  invalid_next_hop_attribute = 8,
  optional_attribute_error = 9,
  invalid_network_field = 10,
  malformed_as_path = 11,
};
/// RFC 6608 §3: FSM error subcodes, one per state that received the unexpected message.
enum class FsmSubcode : std::uint8_t {
  unspecified = 0,
  unexpected_message_in_open_sent = 1,
  unexpected_message_in_open_confirm = 2,
  unexpected_message_in_established = 3,
};
/// RFC 4486 §4 Cease subcodes.
enum class CeaseSubcode : std::uint8_t {
  maximum_number_of_prefixes_reached = 1,
  administrative_shutdown = 2,
  peer_deconfigured = 3,
  administrative_reset = 4,
  connection_rejected = 5,
  other_configuration_change = 6,
  connection_collision_resolution = 7,
  out_of_resources = 8,
};
const char* error_code_name(std::uint8_t code);
const char* error_subcode_name(std::uint8_t code, std::uint8_t subcode);
/// The counter (and rate-limited log reason) of a NOTIFICATION sent: the RFC names in
/// snake case, "bgp.tx.notification.open_message_error.unsupported_version_number".
std::string notification_counter(std::uint8_t code, std::uint8_t subcode);

/// RFC 4271 §4.3 ORIGIN values (lower is preferred, §9.1.2.2 c).
enum class Origin : std::uint8_t { igp = 0, egp = 1, incomplete = 2 };
const char* to_string(Origin o);

/// RFC 4271 §4.3 path attribute type codes (IANA "BGP Path Attributes").
enum class AttrCode : std::uint8_t {
  origin = 1,
  as_path = 2,
  next_hop = 3,
  multi_exit_disc = 4,
  local_pref = 5,
  atomic_aggregate = 6,
  aggregator = 7,
  communities = 8,     // RFC 1997
  mp_reach_nlri = 14,  // RFC 4760
  mp_unreach_nlri = 15,
  as4_path = 17,  // RFC 6793
  as4_aggregator = 18,
};

/// RFC 4271 §4.3 attribute flag bits.
namespace attr_flag {
inline constexpr std::uint8_t optional = 0x80;
inline constexpr std::uint8_t transitive = 0x40;
inline constexpr std::uint8_t partial = 0x20;
inline constexpr std::uint8_t extended_length = 0x10;
}  // namespace attr_flag

}  // namespace vpnlab::bgp
