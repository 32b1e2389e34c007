#include "esp/integrity.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "esp/errors.hpp"

namespace vpnlab::esp {

struct Hmac::Ctx {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  ~Ctx() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

namespace {
struct HmacDesc {
  const char* digest;
  std::size_t icv;
  std::size_t out;
};

bool describe(IntegAlgorithm alg, HmacDesc& d) {
  switch (alg) {
    case IntegAlgorithm::hmac_sha1_96:
      d = {"SHA1", 12, 20};
      return true;  // RFC 2404
    case IntegAlgorithm::hmac_sha2_256_128:
      d = {"SHA256", 16, 32};
      return true;  // RFC 4868
    case IntegAlgorithm::hmac_sha2_384_192:
      d = {"SHA384", 24, 48};
      return true;
    case IntegAlgorithm::hmac_sha2_512_256:
      d = {"SHA512", 32, 64};
      return true;
    case IntegAlgorithm::none:
      return false;
  }
  return false;
}
}  // namespace

Hmac::Hmac(std::unique_ptr<Ctx> ctx, std::size_t icv, std::size_t digest)
    : ctx_(std::move(ctx)), icv_size_(icv), digest_size_(digest) {}
Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;
Hmac::~Hmac() = default;

Result<Hmac> Hmac::create(IntegAlgorithm alg, ByteSpan key) {
  HmacDesc d{};
  if (!describe(alg, d)) return Unexpected{make_error_code(errc::unsupported_suite)};
  auto ctx = std::make_unique<Ctx>();
  ctx->mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (ctx->mac) ctx->ctx = EVP_MAC_CTX_new(ctx->mac);
  if (!ctx->ctx) return Unexpected{make_error_code(errc::crypto_init_failed)};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(d.digest), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx->ctx, key.data(), key.size(), params) != 1) {
    return Unexpected{make_error_code(errc::crypto_init_failed)};
  }
  return Hmac(std::move(ctx), d.icv, d.out);
}

bool Hmac::compute(ByteSpan a, ByteSpan b, MutableByteSpan out) {
  if (out.size() > digest_size_) return false;
  // A null key re-initializes from the key state set in create() (no allocation).
  if (EVP_MAC_init(ctx_->ctx, nullptr, 0, nullptr) != 1) return false;
  if (EVP_MAC_update(ctx_->ctx, a.data(), a.size()) != 1) return false;
  if (!b.empty() && EVP_MAC_update(ctx_->ctx, b.data(), b.size()) != 1) return false;
  std::uint8_t full[64];
  std::size_t len = 0;
  if (EVP_MAC_final(ctx_->ctx, full, &len, sizeof(full)) != 1 || len != digest_size_) return false;
  std::copy(full, full + out.size(), out.begin());
  return true;
}

bool Hmac::verify(ByteSpan a, ByteSpan b, ByteSpan icv) {
  std::uint8_t mac[64];
  if (icv.size() > digest_size_) return false;
  if (!compute(a, b, MutableByteSpan(mac, icv.size()))) return false;
  return CRYPTO_memcmp(mac, icv.data(), icv.size()) == 0;  // constant time (RFC 4303 3.4.4)
}

}  // namespace vpnlab::esp
