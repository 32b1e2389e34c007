#pragma once
// IKEv2 registries (IANA "Internet Key Exchange Version 2 (IKEv2) Parameters"), one enum
// class per registry, values equal to the IANA numbers, names in the RFC's words.

#include <cstdint>
#include <string_view>

namespace vpnlab::ike {

/// RFC 7296 3.1 Exchange Type.
enum class ExchangeType : std::uint8_t {
  ike_sa_init = 34,
  ike_auth = 35,
  create_child_sa = 36,
  informational = 37,
};

/// RFC 7296 3.2 Next Payload / payload type; skf from RFC 7383 2.5.
enum class PayloadType : std::uint8_t {
  none = 0,
  sa = 33,
  ke = 34,
  id_i = 35,
  id_r = 36,
  cert = 37,
  certreq = 38,
  auth = 39,
  nonce = 40,
  notify = 41,
  delete_ = 42,
  vendor_id = 43,
  ts_i = 44,
  ts_r = 45,
  sk = 46,
  cp = 47,
  eap = 48,
  skf = 53,
};

/// RFC 7296 3.10.1 Notify Message Types (error types < 16384, status types above).
enum class NotifyType : std::uint16_t {
  none = 0,
  unsupported_critical_payload = 1,
  invalid_ike_spi = 4,
  invalid_major_version = 5,
  invalid_syntax = 7,
  invalid_message_id = 9,
  invalid_spi = 11,
  no_proposal_chosen = 14,
  invalid_ke_payload = 17,
  authentication_failed = 24,
  single_pair_required = 34,
  no_additional_sas = 35,
  internal_address_failure = 36,
  failed_cp_required = 37,
  ts_unacceptable = 38,
  invalid_selectors = 39,
  temporary_failure = 43,
  child_sa_not_found = 44,
  initial_contact = 16384,
  set_window_size = 16385,
  additional_ts_possible = 16386,
  ipcomp_supported = 16387,
  nat_detection_source_ip = 16388,
  nat_detection_destination_ip = 16389,
  cookie = 16390,
  use_transport_mode = 16391,
  rekey_sa = 16393,
  esp_tfc_padding_not_supported = 16394,
  non_first_fragments_also = 16395,
  ikev2_fragmentation_supported = 16430,  // RFC 7383 2.3
  signature_hash_algorithms = 16431,
};

/// RFC 7296 3.3.1 Protocol ID.
enum class ProtocolId : std::uint8_t { none = 0, ike = 1, ah = 2, esp = 3 };

/// RFC 7296 3.3.2 Transform Type.
enum class TransformType : std::uint8_t { encr = 1, prf = 2, integ = 3, dh = 4, esn = 5 };

/// RFC 7296 3.5 ID Type.
enum class IdType : std::uint8_t {
  ipv4_addr = 1,
  fqdn = 2,
  rfc822_addr = 3,
  ipv6_addr = 5,
  der_asn1_dn = 9,
  key_id = 11,
};

/// RFC 7296 3.8 Auth Method.
enum class AuthMethod : std::uint8_t { rsa_sig = 1, shared_key_mic = 2, dss_sig = 3 };

/// RFC 7296 3.13.1 TS Type.
enum class TsType : std::uint8_t { ipv4_addr_range = 7, ipv6_addr_range = 8 };

/// A payload type RFC 7296 / RFC 7383 defines (unknown ones may be skipped, 2.5).
bool is_known_payload(PayloadType t);

std::string_view to_string(ExchangeType t);
std::string_view to_string(PayloadType t);
std::string_view to_string(NotifyType t);

/// Notify types below 16384 are errors (RFC 7296 3.10.1).
constexpr bool is_error(NotifyType t) {
  return static_cast<std::uint16_t>(t) != 0 && static_cast<std::uint16_t>(t) < 16384;
}

}  // namespace vpnlab::ike
