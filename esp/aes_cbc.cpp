#include "esp/aes_cbc.hpp"

#include <openssl/evp.h>

#include "esp/errors.hpp"

namespace vpnlab::esp {

struct AesCbc::Ctx {
  EVP_CIPHER_CTX* ctx = nullptr;
  ~Ctx() { EVP_CIPHER_CTX_free(ctx); }
};

AesCbc::AesCbc(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
AesCbc::AesCbc(AesCbc&&) noexcept = default;
AesCbc& AesCbc::operator=(AesCbc&&) noexcept = default;
AesCbc::~AesCbc() = default;

Result<AesCbc> AesCbc::create(ByteSpan key, bool encrypt) {
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_cbc()
                             : key.size() == 32 ? EVP_aes_256_cbc()
                                                : nullptr;
  if (!cipher) return Unexpected{make_error_code(errc::bad_key_length)};
  auto ctx = std::make_unique<Ctx>();
  ctx->ctx = EVP_CIPHER_CTX_new();
  if (!ctx->ctx ||
      EVP_CipherInit_ex(ctx->ctx, cipher, nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1) {
    return Unexpected{make_error_code(errc::crypto_init_failed)};
  }
  EVP_CIPHER_CTX_set_padding(ctx->ctx, 0);  // ESP pads itself (RFC 3602 2.4)
  return AesCbc(std::move(ctx));
}

bool AesCbc::run(ByteSpan iv, MutableByteSpan data) {
  if (iv.size() != 16 || data.size() % 16 != 0) return false;
  // Keeps the key schedule; only the IV changes per packet.
  if (EVP_CipherInit_ex(ctx_->ctx, nullptr, nullptr, nullptr, iv.data(), -1) != 1) return false;
  int len = 0;
  if (EVP_CipherUpdate(ctx_->ctx, data.data(), &len, data.data(), static_cast<int>(data.size())) !=
      1) {
    return false;
  }
  return static_cast<std::size_t>(len) == data.size();
}

}  // namespace vpnlab::esp
