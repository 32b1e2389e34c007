// ChaCha20-Poly1305 in ESP (RFC 7634 2): 256-bit key followed by a 4-byte salt in the key
// material; nonce = salt || 8-byte IV; AAD = SPI || Seq (RFC 7634 2.1, as RFC 4106);
// ICV = the 16-byte Poly1305 tag. libsodium's IETF construction is RFC 8439's AEAD.
#include <sodium.h>

#include <cstring>

#include "esp/errors.hpp"
#include "esp/transform.hpp"

namespace vpnlab::esp {

namespace {

constexpr std::size_t kKey = 32, kIv = 8, kSalt = 4, kTag = 16;

class ChachaTransform final : public Transform {
 public:
  explicit ChachaTransform(bool esn) : esn_(esn) {}
  ~ChachaTransform() override {
    sodium_memzero(key_, sizeof(key_));
    sodium_memzero(salt_, sizeof(salt_));
  }

  void init(const SaKeys& keys) {
    auto k = keys.encr_key.expose();
    std::memcpy(key_, k.data(), kKey);
    std::memcpy(salt_, k.data() + kKey, kSalt);
  }

  bool seal(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t nonce[kSalt + kIv], aad[12];
    make_nonce(esp, nonce);
    const std::size_t aad_len = build_aead_aad(esp, esn_, seq_high, aad);
    std::uint8_t* data = esp + 8 + kIv;
    unsigned long long tag_len = 0;
    return crypto_aead_chacha20poly1305_ietf_encrypt_detached(
               data, data + body, &tag_len, data, body, aad, aad_len, nullptr, nonce, key_) == 0 &&
           tag_len == kTag;
  }

  bool open(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t nonce[kSalt + kIv], aad[12];
    make_nonce(esp, nonce);
    const std::size_t aad_len = build_aead_aad(esp, esn_, seq_high, aad);
    std::uint8_t* data = esp + 8 + kIv;
    // Verifies the tag before decrypting anything.
    return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
               data, nullptr, data, body, data + body, aad, aad_len, nonce, key_) == 0;
  }

 private:
  void make_nonce(const std::uint8_t* esp, std::uint8_t* nonce) const {
    std::memcpy(nonce, salt_, kSalt);
    std::memcpy(nonce + kSalt, esp + 8, kIv);
  }

  bool esn_;
  std::uint8_t key_[kKey] = {};
  std::uint8_t salt_[kSalt] = {};
};

}  // namespace

Result<std::unique_ptr<Transform>> make_chacha_transform(const TransformKeys& k) {
  if (sodium_init() < 0) return Unexpected{make_error_code(errc::crypto_init_failed)};
  auto t = std::make_unique<ChachaTransform>(k.esn);
  t->init(k.keys);
  return std::unique_ptr<Transform>(std::move(t));
}

}  // namespace vpnlab::esp
