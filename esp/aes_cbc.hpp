#pragma once
// AES-CBC without padding (ESP pads itself, RFC 3602 2.4) over one EVP_CIPHER_CTX per
// direction, keyed once; each packet only sets its IV. Lengths must be multiples of 16.

#include <memory>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace vpnlab::esp {

class AesCbc {
 public:
  /// key: 16 or 32 bytes. Errors: errc::bad_key_length, errc::crypto_init_failed.
  static Result<AesCbc> create(ByteSpan key, bool encrypt);

  AesCbc(AesCbc&&) noexcept;
  AesCbc& operator=(AesCbc&&) noexcept;
  ~AesCbc();

  /// Encrypts or decrypts data in place with this 16-byte IV; false when data.size() is
  /// not a multiple of 16 or EVP fails.
  bool run(ByteSpan iv, MutableByteSpan data);

 private:
  struct Ctx;
  explicit AesCbc(std::unique_ptr<Ctx> ctx);
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace vpnlab::esp
