#include "ike/core/sk_cipher.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace vpnlab::ike {
namespace {

struct CipherCtx {
  EVP_CIPHER_CTX* p = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(p); }
};

const EVP_CIPHER* cipher_for(esp::EncrAlgorithm e, std::uint16_t bits) {
  bool gcm = e == esp::EncrAlgorithm::aes_gcm_16;
  if (bits == 128) return gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
  if (bits == 256) return gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
  return nullptr;
}

class CbcHmac final : public SkCipher {
 public:
  CbcHmac(const IkeSuite& s, SecretBytes ek_out, SecretBytes ak_out, SecretBytes ek_in,
          SecretBytes ak_in, Rng& rng)
      : cipher_(cipher_for(s.encr, s.key_bits)),
        integ_(static_cast<std::uint16_t>(s.integ)),
        ek_out_(std::move(ek_out)),
        ak_out_(std::move(ak_out)),
        ek_in_(std::move(ek_in)),
        ak_in_(std::move(ak_in)),
        rng_(rng) {}
  std::size_t iv_size() const override { return 16; }
  std::size_t block_size() const override { return 16; }
  std::size_t icv_size() const override { return integ_icv_size(integ_); }

  bool seal(MutableByteSpan msg, std::size_t iv_at) override {
    rng_.fill(msg.subspan(iv_at, 16));
    if (!crypt(msg, iv_at, ek_out_, 1)) return false;
    Bytes icv = integ_mac(integ_, ak_out_.expose(), msg.first(msg.size() - icv_size()));
    std::copy(icv.begin(), icv.end(), msg.end() - static_cast<std::ptrdiff_t>(icv.size()));
    return true;
  }
  bool open(MutableByteSpan msg, std::size_t iv_at) override {
    Bytes icv = integ_mac(integ_, ak_in_.expose(), msg.first(msg.size() - icv_size()));
    if (!SecretBytes::constant_time_equal(icv, msg.last(icv_size()))) return false;
    return crypt(msg, iv_at, ek_in_, 0);
  }

 private:
  bool crypt(MutableByteSpan msg, std::size_t iv_at, const SecretBytes& key, int enc) {
    std::size_t at = iv_at + 16;
    std::size_t n = msg.size() - icv_size() - at;
    CipherCtx ctx;
    int len = 0;
    return ctx.p &&
           EVP_CipherInit_ex(ctx.p, cipher_, nullptr, key.expose().data(), &msg[iv_at], enc) &&
           EVP_CIPHER_CTX_set_padding(ctx.p, 0) &&
           EVP_CipherUpdate(ctx.p, &msg[at], &len, &msg[at], static_cast<int>(n)) &&
           static_cast<std::size_t>(len) == n;
  }
  const EVP_CIPHER* cipher_;
  std::uint16_t integ_;
  SecretBytes ek_out_, ak_out_, ek_in_, ak_in_;
  Rng& rng_;
};

class Gcm final : public SkCipher {
 public:
  static constexpr std::size_t kSalt = 4, kIv = 8, kIcv = 16;
  Gcm(const IkeSuite& s, SecretBytes k_out, SecretBytes k_in, Rng& rng)
      : cipher_(cipher_for(s.encr, s.key_bits)),
        k_out_(std::move(k_out)),
        k_in_(std::move(k_in)),
        rng_(rng) {}
  std::size_t iv_size() const override { return kIv; }
  std::size_t block_size() const override { return 1; }
  std::size_t icv_size() const override { return kIcv; }

  bool seal(MutableByteSpan msg, std::size_t iv_at) override {
    rng_.fill(msg.subspan(iv_at, kIv));
    return crypt(msg, iv_at, k_out_, 1);
  }
  bool open(MutableByteSpan msg, std::size_t iv_at) override { return crypt(msg, iv_at, k_in_, 0); }

 private:
  bool crypt(MutableByteSpan msg, std::size_t iv_at, const SecretBytes& key, int enc) {
    std::size_t klen = key.size() - kSalt;
    std::uint8_t nonce[kSalt + kIv];  // RFC 5282 4: salt | IV
    std::copy_n(key.expose().begin() + static_cast<std::ptrdiff_t>(klen), kSalt, nonce);
    std::copy_n(&msg[iv_at], kIv, nonce + kSalt);
    std::size_t at = iv_at + kIv;
    std::size_t n = msg.size() - kIcv - at;
    std::uint8_t* tag = &msg[msg.size() - kIcv];
    CipherCtx ctx;
    int len = 0;
    bool ok = ctx.p && EVP_CipherInit_ex(ctx.p, cipher_, nullptr, nullptr, nullptr, enc) &&
              EVP_CIPHER_CTX_ctrl(ctx.p, EVP_CTRL_GCM_SET_IVLEN, sizeof nonce, nullptr) &&
              EVP_CipherInit_ex(ctx.p, nullptr, nullptr, key.expose().data(), nonce, enc) &&
              EVP_CipherUpdate(ctx.p, nullptr, &len, msg.data(), static_cast<int>(iv_at)) &&
              EVP_CipherUpdate(ctx.p, &msg[at], &len, &msg[at], static_cast<int>(n));
    if (!ok) return false;
    if (!enc && !EVP_CIPHER_CTX_ctrl(ctx.p, EVP_CTRL_GCM_SET_TAG, kIcv, tag)) return false;
    if (EVP_CipherFinal_ex(ctx.p, &msg[at] + len, &len) != 1) return false;
    return !enc || EVP_CIPHER_CTX_ctrl(ctx.p, EVP_CTRL_GCM_GET_TAG, kIcv, tag) == 1;
  }
  const EVP_CIPHER* cipher_;
  SecretBytes k_out_, k_in_;
  Rng& rng_;
};

}  // namespace

std::unique_ptr<SkCipher> make_sk_cipher(const IkeSuite& suite, const IkeKeys& keys, bool initiator,
                                         Rng& rng) {
  const SecretBytes& e_out = initiator ? keys.sk_ei : keys.sk_er;
  const SecretBytes& e_in = initiator ? keys.sk_er : keys.sk_ei;
  if (is_aead(suite.encr)) return std::make_unique<Gcm>(suite, e_out, e_in, rng);
  const SecretBytes& a_out = initiator ? keys.sk_ai : keys.sk_ar;
  const SecretBytes& a_in = initiator ? keys.sk_ar : keys.sk_ai;
  return std::make_unique<CbcHmac>(suite, e_out, a_out, e_in, a_in, rng);
}

}  // namespace vpnlab::ike
