#pragma once
// The ESP vocabulary shared by esp/, dataplane/ and ike/: SPIs, sequence numbers, the
// transform identifiers IKEv2 negotiates (IANA "Transform Type" registries, values equal to
// the IANA numbers), and the keys of one SA as IKEv2 derives them (RFC 7296 2.17).

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/secret.hpp"

namespace vpnlab::esp {

/// Security Parameters Index (RFC 4303 2.1), host byte order. 0 is reserved, 1-255 are
/// reserved by IANA and never allocated.
struct Spi {
  std::uint32_t value = 0;
  auto operator<=>(const Spi&) const = default;
};

/// A 64-bit sequence number; without ESN only the low 32 bits go on the wire
/// (RFC 4303 2.2, 2.2.1).
struct SequenceNumber {
  std::uint64_t value = 0;
  auto operator<=>(const SequenceNumber&) const = default;
  std::uint32_t low() const { return static_cast<std::uint32_t>(value); }
  std::uint32_t high() const { return static_cast<std::uint32_t>(value >> 32); }
};

/// IKEv2 Transform Type 1 (Encryption Algorithm) IDs used for ESP.
enum class EncrAlgorithm : std::uint16_t {
  aes_cbc = 12,            // RFC 3602; key 128/256
  aes_gcm_16 = 20,         // RFC 4106; key 128/256 + 4-byte salt
  chacha20_poly1305 = 28,  // RFC 7634; key 256 + 4-byte salt
};

/// IKEv2 Transform Type 3 (Integrity Algorithm) IDs. AEADs use none.
enum class IntegAlgorithm : std::uint16_t {
  none = 0,
  hmac_sha1_96 = 2,        // RFC 2404
  hmac_sha2_256_128 = 12,  // RFC 4868
  hmac_sha2_384_192 = 13,  // RFC 4868
  hmac_sha2_512_256 = 14,  // RFC 4868
};

/// One cipher suite: what IKE negotiated for a CHILD_SA.
struct SuiteId {
  EncrAlgorithm encr = EncrAlgorithm::aes_gcm_16;
  std::uint16_t key_bits = 256;  // cipher key, without salt
  IntegAlgorithm integ = IntegAlgorithm::none;
  auto operator<=>(const SuiteId&) const = default;
};

/// Key material of one SA, in RFC 7296 2.17 order: the encryption key first (for AES-GCM
/// and ChaCha20-Poly1305 the key is followed by the 4-byte salt, RFC 4106 8.1 / RFC 7634 2),
/// then the integrity key (absent for AEADs).
struct SaKeys {
  SecretBytes encr_key;  // cipher key || salt for AEADs
  SecretBytes integ_key;
};

/// Encryption key bytes IKE must derive for a suite (including the AEAD salt).
std::size_t encr_keymat_size(const SuiteId& suite);
/// Integrity key bytes (0 for AEADs).
std::size_t integ_keymat_size(IntegAlgorithm integ);
/// "aes256gcm16", "aes256-sha256", ... (strongSwan's proposal spelling, used in status).
std::string_view suite_name(const SuiteId& suite);

}  // namespace vpnlab::esp
