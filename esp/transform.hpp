#pragma once
// Internal: the cipher state of one SA direction, behind one small interface so sa.cpp
// does packet layout and the transforms only crypto. One subclass per construction:
//   transform_aead_gcm.cpp   AES-GCM-16 (RFC 4106) via EVP
//   transform_chacha.cpp     ChaCha20-Poly1305 (RFC 7634) via libsodium
//   transform_cbc_hmac.cpp   AES-CBC (RFC 3602) + HMAC (RFC 2404, RFC 4868)
//
// Layout seen by a transform (pointer `esp` at the SPI):
//   esp[0..8)            SPI | Sequence Number (low 32 bits)
//   esp[8..8+iv)         IV (written by the caller before seal)
//   esp[8+iv..+body)     payload | padding | pad length | next header  (encrypted in place)
//   esp[8+iv+body..+icv) ICV
// seq_high is the implicit high half of an ESN (RFC 4303 2.2.1), used only when esn.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/result.hpp"
#include "esp/types.hpp"

namespace vpnlab::esp {

class Transform {
 public:
  virtual ~Transform() = default;
  /// Encrypts body in place and writes the ICV. False on a library error.
  virtual bool seal(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) = 0;
  /// Verifies the ICV and decrypts body in place. False when the ICV does not verify.
  virtual bool open(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) = 0;
};

struct TransformKeys {
  const SuiteId& suite;
  const SaKeys& keys;
  bool esn;
  bool encrypt;  // outbound (seal) or inbound (open) contexts
};

/// Builds the transform for a suite; keys must have the sizes types.hpp gives.
Result<std::unique_ptr<Transform>> make_transform(const TransformKeys& k);

// One factory per construction (each in its own .cpp).
Result<std::unique_ptr<Transform>> make_gcm_transform(const TransformKeys& k);
Result<std::unique_ptr<Transform>> make_chacha_transform(const TransformKeys& k);
Result<std::unique_ptr<Transform>> make_cbc_hmac_transform(const TransformKeys& k);

/// The AAD of AEAD suites (RFC 4106 5, RFC 7634 2.1): SPI | Seq (8 bytes) or, with ESN,
/// SPI | Seq high | Seq low (12 bytes). Returns the length written into out[12].
std::size_t build_aead_aad(const std::uint8_t* esp, bool esn, std::uint32_t seq_high,
                           std::uint8_t* out);

}  // namespace vpnlab::esp
