#pragma once
// IKEv2 pseudorandom functions (RFC 7296 2.13, RFC 4868 for SHA-2) and prf+:
//
//   prf+ (K,S) = T1 | T2 | T3 | T4 | ...
//   T1 = prf (K, S | 0x01)
//   T2 = prf (K, T1 | S | 0x02) ...
//
// Keys and outputs are secrets.

#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"

namespace vpnlab::ike {

/// IKEv2 Transform Type 2 (PRF) IDs.
enum class PrfAlgorithm : std::uint16_t {
  hmac_sha1 = 2,
  hmac_sha2_256 = 5,
  hmac_sha2_384 = 6,
  hmac_sha2_512 = 7,
};

bool is_supported(PrfAlgorithm alg);
/// Output size = preferred key size (RFC 7296 2.13, RFC 4868 2.1.2).
std::size_t prf_size(PrfAlgorithm alg);
SecretBytes prf(PrfAlgorithm alg, ByteSpan key, ByteSpan data);
/// RFC 7296 2.13: at most 255 iterations; longer requests are a programming error.
SecretBytes prf_plus(PrfAlgorithm alg, ByteSpan key, ByteSpan seed, std::size_t length);

/// HMAC with an IKE/ESP integrity algorithm ID (Transform Type 3), truncated to its ICV
/// size: 2 -> SHA1-96, 12 -> SHA2-256-128, 13 -> SHA2-384-192, 14 -> SHA2-512-256.
Bytes integ_mac(std::uint16_t integ_id, ByteSpan key, ByteSpan data);
std::size_t integ_key_size(std::uint16_t integ_id);
std::size_t integ_icv_size(std::uint16_t integ_id);

}  // namespace vpnlab::ike
