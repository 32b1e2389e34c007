// AES-GCM-16 in ESP (RFC 4106): nonce = salt (last 4 bytes of the key material, 8.1) ||
// the 8-byte explicit IV (4); AAD = SPI || Seq (5); ICV = the 16-byte GCM tag (6).
#include <openssl/evp.h>

#include <cstring>

#include "esp/errors.hpp"
#include "esp/transform.hpp"

namespace vpnlab::esp {

namespace {

constexpr std::size_t kIv = 8, kSalt = 4, kTag = 16;

class GcmTransform final : public Transform {
 public:
  GcmTransform(bool esn, bool encrypt) : esn_(esn), encrypt_(encrypt) {}
  ~GcmTransform() override { EVP_CIPHER_CTX_free(ctx_); }

  bool init(const SaKeys& keys) {
    auto key = keys.encr_key.expose();
    const std::size_t key_len = key.size() - kSalt;
    const EVP_CIPHER* cipher = key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    std::memcpy(salt_, key.data() + key_len, kSalt);
    ctx_ = EVP_CIPHER_CTX_new();
    return ctx_ &&
           EVP_CipherInit_ex(ctx_, cipher, nullptr, key.data(), nullptr, encrypt_ ? 1 : 0) == 1;
  }

  bool seal(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t* data = esp + 8 + kIv;
    if (!start(esp, seq_high) || !crypt(data, body)) return false;
    int len = 0;
    if (EVP_CipherFinal_ex(ctx_, data + body, &len) != 1) return false;
    return EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, kTag, data + body) == 1;
  }

  bool open(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t* data = esp + 8 + kIv;
    if (!start(esp, seq_high)) return false;
    if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, kTag, data + body) != 1) return false;
    if (!crypt(data, body)) return false;
    std::uint8_t scratch[16];
    int len = 0;
    return EVP_CipherFinal_ex(ctx_, scratch, &len) == 1;  // 0: tag mismatch
  }

 private:
  bool start(const std::uint8_t* esp, std::uint32_t seq_high) {
    std::uint8_t nonce[kSalt + kIv];
    std::memcpy(nonce, salt_, kSalt);
    std::memcpy(nonce + kSalt, esp + 8, kIv);
    if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, nonce, -1) != 1) return false;
    std::uint8_t aad[12];
    const std::size_t aad_len = build_aead_aad(esp, esn_, seq_high, aad);
    int len = 0;
    return EVP_CipherUpdate(ctx_, nullptr, &len, aad, static_cast<int>(aad_len)) == 1;
  }

  bool crypt(std::uint8_t* data, std::size_t body) {
    int len = 0;
    return EVP_CipherUpdate(ctx_, data, &len, data, static_cast<int>(body)) == 1 &&
           static_cast<std::size_t>(len) == body;
  }

  bool esn_, encrypt_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
  std::uint8_t salt_[kSalt] = {};
};

}  // namespace

Result<std::unique_ptr<Transform>> make_gcm_transform(const TransformKeys& k) {
  auto t = std::make_unique<GcmTransform>(k.esn, k.encrypt);
  if (!t->init(k.keys)) return Unexpected{make_error_code(errc::crypto_init_failed)};
  return std::unique_ptr<Transform>(std::move(t));
}

}  // namespace vpnlab::esp
