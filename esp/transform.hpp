#pragma once
// Internal: the cipher state of one SA direction, behind one small interface so sa.cpp
// does packet layout and the transforms only crypto. One subclass per construction:
//   transform_aead_gcm.cpp   AES-GCM-16 (RFC 4106) via EVP
//   transform_chacha.cpp     ChaCha20-Poly1305 (RFC 7634) via libsodium
//   transform_cbc_hmac.cpp   AES-CBC (RFC 3602) + HMAC (RFC 2404, RFC 4868)
//   transform_imb_gcm.cpp    AES-GCM-16 via intel-ipsec-mb (crypto_backend.hpp)
//   transform_imb_cbc_hmac.cpp  AES-CBC + HMAC via intel-ipsec-mb, a batch at a time
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

#include <span>

#include "base/result.hpp"
#include "esp/crypto_backend.hpp"
#include "esp/types.hpp"

namespace vpnlab::esp {

/// One packet of a batch: the same arguments as seal()/open(), and the outcome.
struct CryptoJob {
  std::uint8_t* esp = nullptr;
  std::size_t body = 0;
  std::uint32_t seq_high = 0;
  bool ok = false;
};

class Transform {
 public:
  virtual ~Transform() = default;
  /// seal() or open() for every job; a backend that interleaves packets overrides these.
  virtual void seal_batch(std::span<CryptoJob> jobs) {
    for (CryptoJob& j : jobs) j.ok = seal(j.esp, j.body, j.seq_high);
  }
  virtual void open_batch(std::span<CryptoJob> jobs) {
    for (CryptoJob& j : jobs) j.ok = open(j.esp, j.body, j.seq_high);
  }
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
  CryptoBackend backend = CryptoBackend::automatic;
};

/// Builds the transform for a suite; keys must have the sizes types.hpp gives.
Result<std::unique_ptr<Transform>> make_transform(const TransformKeys& k);

// One factory per construction (each in its own .cpp).
Result<std::unique_ptr<Transform>> make_gcm_transform(const TransformKeys& k);
Result<std::unique_ptr<Transform>> make_chacha_transform(const TransformKeys& k);
Result<std::unique_ptr<Transform>> make_cbc_hmac_transform(const TransformKeys& k);
Result<std::unique_ptr<Transform>> make_imb_gcm_transform(const TransformKeys& k);
Result<std::unique_ptr<Transform>> make_imb_cbc_hmac_transform(const TransformKeys& k);

/// The AAD of AEAD suites (RFC 4106 5, RFC 7634 2.1): SPI | Seq (8 bytes) or, with ESN,
/// SPI | Seq high | Seq low (12 bytes). Returns the length written into out[12].
std::size_t build_aead_aad(const std::uint8_t* esp, bool esn, std::uint32_t seq_high,
                           std::uint8_t* out);

}  // namespace vpnlab::esp
