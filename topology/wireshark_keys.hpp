#pragma once
// The SA keys `vpnlab capture` hands to Wireshark, and the two tables Wireshark reads them
// from. SECRETS: these records hold ESP keys and SK_e/SK_a of IKE_SAs. They travel only over
// a gateway's root-only control socket ({"command": "keys"}) into files created 0600 in a
// 0700 directory; nothing here logs them, and the gateway's status never includes them.
//
// A pcapng Decryption Secrets Block cannot carry them for Wireshark 3.6 / 4.0 (its DSB types
// are TLS key logs, WireGuard and ZigBee keys; an ESP type exists only in the 4.7 development
// branch, none for IKEv2), so the keys go beside the capture as Wireshark's own "User
// Accessible Tables", in the formats of Wireshark 3.6 / 4.0
// (epan/dissectors/packet-esp.c and packet-isakmp.c, field lists of esp_uat_flds and
// ikev2_uat_flds):
//
//   esp_sa:                 "IPv4","<src>","<dst>","0x<spi 8 hex>","<encryption>","0x<key>",
//                           "<authentication>","0x<key>"
//   ikev2_decryption_table: <SPIi 16 hex>,<SPIr 16 hex>,<SK_ei>,<SK_er>,"<encryption>",
//                           <SK_ai>,<SK_ar>,"<integrity>"
//
// Value-string fields are quoted and spelled exactly as Wireshark's value_strings; buffer
// fields are bare hex. For AES-GCM the key field is the key followed by its 4-octet salt
// (RFC 4106 8.1, RFC 5282 7.1), as IKEv2 derives it. Wireshark 4.0's ESP table has no
// ChaCha20-Poly1305 (later releases have it): such SAs are reported as not writable.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"
#include "esp/types.hpp"

namespace vpnlab::topology {

/// One direction of a CHILD_SA (or a manual-keying SA), as seen on the wire.
struct EspSaKeys {
  std::string tunnel;  // device, e.g. aws0t1
  Ipv4Address src, dst;
  std::uint32_t spi = 0;
  std::uint32_t peer_spi = 0;  // the other direction of the same CHILD_SA (0: unknown)
  esp::EncrAlgorithm encr = esp::EncrAlgorithm::aes_gcm_16;
  std::uint16_t key_bits = 256;
  esp::IntegAlgorithm integ = esp::IntegAlgorithm::none;
  SecretBytes encr_key;  // key || salt for AEADs
  SecretBytes integ_key;
  bool live = true;  // false: removed from the dataplane, kept for captures spanning a rekey
};

struct IkeSaKeys {
  std::string tunnel;
  std::uint64_t spi_i = 0, spi_r = 0;
  esp::EncrAlgorithm encr = esp::EncrAlgorithm::aes_cbc;
  std::uint16_t key_bits = 256;
  esp::IntegAlgorithm integ = esp::IntegAlgorithm::hmac_sha2_256_128;
  SecretBytes sk_ei, sk_er, sk_ai, sk_ar;
  bool live = true;
};

struct SaKeySet {
  std::vector<EspSaKeys> esp;
  std::vector<IkeSaKeys> ike;
  /// Adds what `other` has that this set lacks (same SPI and addresses / same SPI pair).
  void merge(const SaKeySet& other);
};

/// The "keys" control reply body. SECRET: never log or print it.
nlohmann::json to_json(const SaKeySet& keys);
/// Parses a "keys" reply; errors name the field (never its value).
Checked<SaKeySet> key_set_from_json(const nlohmann::json& j);

/// One esp_sa line (no newline); an error when Wireshark 4.0 cannot express the suite.
Checked<std::string> esp_sa_line(const EspSaKeys& sa);
/// One ikev2_decryption_table line (no newline).
Checked<std::string> ikev2_line(const IkeSaKeys& sa);

}  // namespace vpnlab::topology
