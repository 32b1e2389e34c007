// AES-GCM-16 in ESP (RFC 4106) through intel-ipsec-mb's one-call GCM: nonce = salt || the
// 8-byte explicit IV (RFC 4106 4, 8.1), AAD = SPI || Seq (5), ICV = the 16-byte tag (6).
// The key schedule and GHASH tables are computed once per SA (gcm_key_data); a packet is
// one call with no library state but a stack context, so lanes need no locking.
#include "esp/transform.hpp"

#ifdef VPNLAB_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include <cstring>

#include "base/bytes.hpp"
#include "esp/errors.hpp"
#include "esp/imb.hpp"

namespace vpnlab::esp {

namespace {

constexpr std::size_t kIv = 8, kSalt = 4, kTag = 16;

class ImbGcmTransform final : public Transform {
 public:
  ImbGcmTransform(const IMB_MGR& m, std::size_t key_len, bool esn)
      : enc_(key_len == 16 ? m.gcm128_enc : m.gcm256_enc),
        dec_(key_len == 16 ? m.gcm128_dec : m.gcm256_dec),
        esn_(esn) {}
  ~ImbGcmTransform() override { OPENSSL_cleanse(&key_, sizeof key_); }

  void init(const IMB_MGR& m, ByteSpan key_and_salt) {
    const std::size_t key_len = key_and_salt.size() - kSalt;
    (key_len == 16 ? m.gcm128_pre : m.gcm256_pre)(key_and_salt.data(), &key_);
    std::memcpy(salt_, key_and_salt.data() + key_len, kSalt);
  }

  bool seal(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t* data = esp + 8 + kIv;
    std::uint8_t nonce[kSalt + kIv], aad[12];
    const std::size_t aad_len = prepare(esp, seq_high, nonce, aad);
    gcm_context_data ctx;
    enc_(&key_, &ctx, data, data, body, nonce, aad, aad_len, data + body, kTag);
    return true;
  }

  // Decrypts in place while computing the tag, then compares: the result equals verifying
  // first (RFC 4303 3.4.4.1 implementation note: any steps with the same result), since a
  // packet whose tag differs is dropped whole.
  bool open(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t* data = esp + 8 + kIv;
    std::uint8_t nonce[kSalt + kIv], aad[12], tag[kTag];
    const std::size_t aad_len = prepare(esp, seq_high, nonce, aad);
    gcm_context_data ctx;
    dec_(&key_, &ctx, data, data, body, nonce, aad, aad_len, tag, kTag);
    return CRYPTO_memcmp(tag, data + body, kTag) == 0;
  }

 private:
  std::size_t prepare(const std::uint8_t* esp, std::uint32_t seq_high, std::uint8_t* nonce,
                      std::uint8_t* aad) const {
    std::memcpy(nonce, salt_, kSalt);
    std::memcpy(nonce + kSalt, esp + 8, kIv);
    return build_aead_aad(esp, esn_, seq_high, aad);
  }

  // The header aligns gcm_key_data only when LINUX is defined; say it here instead.
  alignas(64) gcm_key_data key_;
  aes_gcm_enc_dec_t enc_, dec_;
  bool esn_;
  std::uint8_t salt_[kSalt] = {};
};

}  // namespace

Result<std::unique_ptr<Transform>> make_imb_gcm_transform(const TransformKeys& k) {
  const IMB_MGR* m = imb::reference();
  if (m == nullptr) return Unexpected{make_error_code(errc::backend_unavailable)};
  auto key = k.keys.encr_key.expose();
  auto t = std::make_unique<ImbGcmTransform>(*m, key.size() - kSalt, k.esn);
  t->init(*m, key);
  return std::unique_ptr<Transform>(std::move(t));
}

}  // namespace vpnlab::esp

#else

#include "esp/errors.hpp"

namespace vpnlab::esp {
Result<std::unique_ptr<Transform>> make_imb_gcm_transform(const TransformKeys&) {
  return Unexpected{make_error_code(errc::backend_unavailable)};
}
}  // namespace vpnlab::esp

#endif
