#include "esp/iv_source.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>

#include "base/secret.hpp"

namespace vpnlab::esp {

namespace {

class SequenceIvSource final : public IvSource {
 public:
  void next_iv(SequenceNumber seq, MutableByteSpan iv) override {
    std::memset(iv.data(), 0, iv.size());
    const std::size_t n = iv.size() < 8 ? iv.size() : 8;
    for (std::size_t i = 0; i < n; ++i) {
      iv[iv.size() - 1 - i] = static_cast<std::uint8_t>(seq.value >> (8 * i));
    }
  }
};

// AES-128-ECB over a 128-bit counter, 32 blocks per EVP call: one cipher call per 32
// packets, no allocation after construction.
class RandomIvSource final : public IvSource {
 public:
  ~RandomIvSource() override {
    EVP_CIPHER_CTX_free(ctx_);
    secure_wipe(out_.data(), out_.size());
  }

  bool init() {
    std::array<std::uint8_t, 16> key{};
    std::uint8_t start[16];
    if (RAND_bytes(key.data(), 16) != 1 || RAND_bytes(start, 16) != 1) return false;
    hi_ = 0;
    lo_ = 0;
    for (int i = 0; i < 8; ++i) hi_ = (hi_ << 8) | start[i];
    for (int i = 8; i < 16; ++i) lo_ = (lo_ << 8) | start[i];
    ctx_ = EVP_CIPHER_CTX_new();
    bool ok =
        ctx_ && EVP_EncryptInit_ex(ctx_, EVP_aes_128_ecb(), nullptr, key.data(), nullptr) == 1;
    secure_wipe(key.data(), key.size());
    if (ok) EVP_CIPHER_CTX_set_padding(ctx_, 0);
    return ok;
  }

  void next_iv(SequenceNumber, MutableByteSpan iv) override {
    if (used_ == kBatch) refill();
    std::memcpy(iv.data(), out_.data() + used_ * 16, iv.size() <= 16 ? iv.size() : 16);
    ++used_;
  }

 private:
  static constexpr std::size_t kBatch = 32;

  void refill() {
    std::array<std::uint8_t, kBatch * 16> in;
    for (std::size_t b = 0; b < kBatch; ++b) {
      for (int i = 0; i < 8; ++i) {
        in[b * 16 + i] = static_cast<std::uint8_t>(hi_ >> (56 - 8 * i));
        in[b * 16 + 8 + i] = static_cast<std::uint8_t>(lo_ >> (56 - 8 * i));
      }
      if (++lo_ == 0) ++hi_;
    }
    int len = 0;
    EVP_EncryptUpdate(ctx_, out_.data(), &len, in.data(), static_cast<int>(in.size()));
    used_ = 0;
  }

  EVP_CIPHER_CTX* ctx_ = nullptr;
  std::uint64_t hi_ = 0, lo_ = 0;
  std::array<std::uint8_t, kBatch * 16> out_{};
  std::size_t used_ = kBatch;
};

}  // namespace

std::unique_ptr<IvSource> make_sequence_iv_source() {
  return std::make_unique<SequenceIvSource>();
}

std::unique_ptr<IvSource> make_random_iv_source() {
  auto src = std::make_unique<RandomIvSource>();
  if (!src->init()) return nullptr;
  return src;
}

}  // namespace vpnlab::esp
