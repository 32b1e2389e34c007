#pragma once
// HMAC integrity for ESP (RFC 2404 HMAC-SHA1-96, RFC 4868 HMAC-SHA2-256-128/-384-192/
// -512-256): RFC 2104 over OpenSSL's SHA functions. The keyed inner/outer hash states are
// computed once per SA; a packet copies them (no allocation; integrity.cpp says why not
// EVP_MAC). Output is the leftmost bytes of the full HMAC (RFC 2104 5, RFC 4868 2.3).

#include <cstddef>
#include <memory>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "esp/types.hpp"

namespace vpnlab::esp {

class Hmac {
 public:
  /// An HMAC for the ESP integrity algorithm, with icv_size() its truncated length.
  /// Errors: errc::unsupported_suite (none/unknown), errc::crypto_init_failed.
  static Result<Hmac> create(IntegAlgorithm alg, ByteSpan key);

  Hmac(Hmac&&) noexcept;
  Hmac& operator=(Hmac&&) noexcept;
  ~Hmac();

  std::size_t icv_size() const { return icv_size_; }
  std::size_t digest_size() const { return digest_size_; }

  /// HMAC(key, a || b) truncated to out.size() bytes (at most digest_size()). b may be
  /// empty (it carries the implicit ESN high bits, RFC 4303 2.2.1). False on an EVP error.
  bool compute(ByteSpan a, ByteSpan b, MutableByteSpan out);
  /// Constant-time compare of HMAC(key, a || b), truncated to icv.size(), with icv.
  bool verify(ByteSpan a, ByteSpan b, ByteSpan icv);

  struct Ctx;  // OpenSSL state, defined in integrity.cpp

 private:
  explicit Hmac(std::unique_ptr<Ctx> ctx, std::size_t icv, std::size_t digest);
  std::unique_ptr<Ctx> ctx_;
  std::size_t icv_size_ = 0;
  std::size_t digest_size_ = 0;
};

}  // namespace vpnlab::esp
