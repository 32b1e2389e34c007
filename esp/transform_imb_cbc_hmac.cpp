// AES-CBC (RFC 3602) + HMAC (RFC 2404, RFC 4868) through intel-ipsec-mb's job API, which
// runs the packets of a batch side by side: CBC encryption is serial inside one packet, so
// a single packet leaves the AES units mostly idle; 8-16 packets interleaved fill them, and
// the SHA lanes likewise. Layout and ICV coverage as transform_cbc_hmac.cpp (RFC 4303
// 3.3.2, ESN high bits after the ciphertext, 2.2.1).
//
// Rounds of fewer than kMinRound packets (a lone ping, the tail of a batch) go to the
// OpenSSL transform instead. The library computes the ICV into a scratch slot; inbound compares it
// with the received one in constant time and drops the packet on a difference. Decryption runs in
// the same job (hash first, then decrypt), which gives the result of verifying first (RFC
// 4303 3.4.4.1 implementation note): a packet that fails is discarded whole.
#include "esp/transform.hpp"

#ifdef VPNLAB_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "base/bytes.hpp"
#include "esp/errors.hpp"
#include "esp/imb.hpp"

namespace vpnlab::esp {

namespace {

constexpr std::size_t kIv = 16;
constexpr std::size_t kChunk = 64;  // jobs in flight per submit/flush round

struct HmacAlg {
  IMB_HASH_ALG alg;
  hash_one_block_t IMB_MGR::*one_block;
  std::size_t block, icv;
};

std::optional<HmacAlg> hmac_alg(IntegAlgorithm a) {
  switch (a) {
    case IntegAlgorithm::hmac_sha1_96:  // RFC 2404: HMAC-SHA-1 truncated to 96 bits
      return HmacAlg{IMB_AUTH_HMAC_SHA_1, &IMB_MGR::sha1_one_block, 64, 12};
    case IntegAlgorithm::hmac_sha2_256_128:  // RFC 4868 2.1: truncated to half
      return HmacAlg{IMB_AUTH_HMAC_SHA_256, &IMB_MGR::sha256_one_block, 64, 16};
    case IntegAlgorithm::hmac_sha2_384_192:
      return HmacAlg{IMB_AUTH_HMAC_SHA_384, &IMB_MGR::sha384_one_block, 128, 24};
    case IntegAlgorithm::hmac_sha2_512_256:
      return HmacAlg{IMB_AUTH_HMAC_SHA_512, &IMB_MGR::sha512_one_block, 128, 32};
    case IntegAlgorithm::none:
      break;
  }
  return std::nullopt;
}

// Per packet of a round: the ICV the library computes and, inbound, the received one.
struct Slot {
  CryptoJob* job = nullptr;
  std::uint8_t computed[32];
  std::uint8_t received[32];
};

// Below this many packets a round costs more than OpenSSL one at a time: the library's
// lanes run full width whatever they hold (bench/esp: 1-packet ipsec-mb HMAC-SHA-1/-384/
// -512 encap is 2x OpenSSL's; from 4 packets on it is faster for every hash).
constexpr std::size_t kMinRound = 4;

class ImbCbcHmacTransform final : public Transform {
 public:
  ImbCbcHmacTransform(const HmacAlg& h, std::size_t key_len, bool esn,
                      std::unique_ptr<Transform> few)
      : hmac_(h), key_len_(key_len), esn_(esn), few_(std::move(few)) {}
  ~ImbCbcHmacTransform() override {
    OPENSSL_cleanse(enc_keys_, sizeof enc_keys_);
    OPENSSL_cleanse(dec_keys_, sizeof dec_keys_);
    OPENSSL_cleanse(ipad_, sizeof ipad_);
    OPENSSL_cleanse(opad_, sizeof opad_);
  }

  // The AES key schedules and the HMAC inner/outer states after one key block (RFC 2104
  // 2; ESP integrity keys are never longer than the hash block, RFC 4868 2.1.1).
  void init(const IMB_MGR& m, ByteSpan encr_key, ByteSpan integ_key) {
    (encr_key.size() == 16 ? m.keyexp_128 : m.keyexp_256)(encr_key.data(), enc_keys_, dec_keys_);
    std::uint8_t block[128];
    for (std::uint8_t pad : {std::uint8_t{0x36}, std::uint8_t{0x5c}}) {
      std::memset(block, pad, hmac_.block);
      for (std::size_t i = 0; i < integ_key.size(); ++i) block[i] ^= integ_key[i];
      (m.*hmac_.one_block)(block, pad == 0x36 ? ipad_ : opad_);
    }
    OPENSSL_cleanse(block, sizeof block);
  }

  // One packet is always a round under kMinRound.
  bool seal(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    return few_->seal(esp, body, seq_high);
  }
  bool open(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    return few_->open(esp, body, seq_high);
  }

  void seal_batch(std::span<CryptoJob> jobs) override { run(jobs, true); }
  void open_batch(std::span<CryptoJob> jobs) override { run(jobs, false); }

 private:
  void run(std::span<CryptoJob> jobs, bool encrypt) {
    std::array<Slot, kChunk> slots;
    for (std::size_t at = 0; at < jobs.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, jobs.size() - at);
      if (n < kMinRound) {
        auto few = jobs.subspan(at, n);
        encrypt ? few_->seal_batch(few) : few_->open_batch(few);
        continue;
      }
      IMB_MGR* m = imb::thread_manager(static_cast<unsigned>(n));
      if (m == nullptr) {  // the thread's manager could not be allocated
        for (CryptoJob& c : jobs) c.ok = false;
        return;
      }
      for (std::size_t i = 0; i < n; ++i) {
        slots[i].job = &jobs[at + i];
        IMB_JOB* done = submit(m, slots[i], encrypt);
        if (done != nullptr) complete(*done, encrypt);
      }
      while (IMB_JOB* done = IMB_FLUSH_JOB(m)) complete(*done, encrypt);
    }
  }

  IMB_JOB* submit(IMB_MGR* m, Slot& s, bool encrypt) {
    CryptoJob& c = *s.job;
    std::uint8_t* icv = c.esp + 8 + kIv + c.body;  // the ICV follows the ciphertext
    if (!encrypt) std::memcpy(s.received, icv, hmac_.icv);
    // RFC 4303 2.2.1 / 3.3.2.1: with ESN the high 32 bits are hashed after the ciphertext,
    // where the ICV goes; the library writes the ICV to the slot, so the bytes are free.
    if (esn_) store_be32(icv, c.seq_high);
    IMB_JOB* j = IMB_GET_NEXT_JOB(m);
    j->cipher_mode = IMB_CIPHER_CBC;
    j->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    // Encrypt-then-MAC both ways: the ICV always covers the ciphertext (RFC 4303 3.3.2).
    j->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    j->enc_keys = enc_keys_;
    j->dec_keys = dec_keys_;
    j->key_len_in_bytes = key_len_;
    j->iv = c.esp + 8;
    j->iv_len_in_bytes = kIv;
    j->src = c.esp;
    j->dst = c.esp + 8 + kIv;  // in place
    j->cipher_start_src_offset_in_bytes = 8 + kIv;
    j->msg_len_to_cipher_in_bytes = c.body;
    j->hash_alg = hmac_.alg;
    j->hash_start_src_offset_in_bytes = 0;
    j->msg_len_to_hash_in_bytes = 8 + kIv + c.body + (esn_ ? 4 : 0);
    j->auth_tag_output = s.computed;
    j->auth_tag_output_len_in_bytes = hmac_.icv;
    j->u.HMAC._hashed_auth_key_xor_ipad = ipad_;
    j->u.HMAC._hashed_auth_key_xor_opad = opad_;
    j->user_data = &s;
    return IMB_SUBMIT_JOB(m);
  }

  void complete(IMB_JOB& done, bool encrypt) {
    Slot& s = *static_cast<Slot*>(done.user_data);
    CryptoJob& c = *s.job;
    std::uint8_t* icv = c.esp + 8 + kIv + c.body;
    const bool ran = done.status == IMB_STATUS_COMPLETED;
    if (encrypt) {
      if (ran) std::memcpy(icv, s.computed, hmac_.icv);
      c.ok = ran;
    } else {
      c.ok = ran && CRYPTO_memcmp(s.computed, s.received, hmac_.icv) == 0;
    }
  }

  HmacAlg hmac_;
  std::size_t key_len_;
  bool esn_;
  std::unique_ptr<Transform> few_;          // OpenSSL, for rounds under kMinRound packets
  alignas(16) std::uint32_t enc_keys_[60];  // 15 round keys of AES-256
  alignas(16) std::uint32_t dec_keys_[60];
  alignas(16) std::uint8_t ipad_[64];  // SHA-512 state is 64 bytes
  alignas(16) std::uint8_t opad_[64];
};

}  // namespace

Result<std::unique_ptr<Transform>> make_imb_cbc_hmac_transform(const TransformKeys& k) {
  const IMB_MGR* m = imb::reference();
  if (m == nullptr) return Unexpected{make_error_code(errc::backend_unavailable)};
  auto h = hmac_alg(k.suite.integ);
  auto key = k.keys.encr_key.expose();
  if (!h || (key.size() != 16 && key.size() != 32)) {
    return Unexpected{make_error_code(errc::unsupported_suite)};
  }
  auto few = make_cbc_hmac_transform(k);
  if (!few) return Unexpected{few.error()};
  auto t = std::make_unique<ImbCbcHmacTransform>(*h, key.size(), k.esn, std::move(*few));
  t->init(*m, key, k.keys.integ_key.expose());
  return std::unique_ptr<Transform>(std::move(t));
}

}  // namespace vpnlab::esp

#else

#include "esp/errors.hpp"

namespace vpnlab::esp {
Result<std::unique_ptr<Transform>> make_imb_cbc_hmac_transform(const TransformKeys&) {
  return Unexpected{make_error_code(errc::backend_unavailable)};
}
}  // namespace vpnlab::esp

#endif
