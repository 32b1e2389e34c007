// AES-CBC (RFC 3602) with HMAC (RFC 2404 / RFC 4868), encrypt-then-MAC as RFC 4303 3.3.2:
// the ICV covers SPI | Seq | IV | ciphertext, and with ESN the implicit high 32 bits of
// the sequence number appended after the ciphertext (RFC 4303 2.2.1, 3.3.2.1).
// Inbound verifies the ICV before decrypting (RFC 4303 3.4.4.1).
#include <optional>

#include "base/bytes.hpp"
#include "esp/aes_cbc.hpp"
#include "esp/errors.hpp"
#include "esp/integrity.hpp"
#include "esp/transform.hpp"

namespace vpnlab::esp {

namespace {

constexpr std::size_t kIv = 16;

class CbcHmacTransform final : public Transform {
 public:
  CbcHmacTransform(AesCbc cbc, Hmac hmac, bool esn)
      : cbc_(std::move(cbc)), hmac_(std::move(hmac)), esn_(esn) {}

  bool seal(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    if (!cbc_.run(ByteSpan(esp + 8, kIv), MutableByteSpan(esp + 8 + kIv, body))) return false;
    std::uint8_t hi[4];
    const std::size_t covered = 8 + kIv + body;
    return hmac_.compute(ByteSpan(esp, covered), high_bits(seq_high, hi),
                         MutableByteSpan(esp + covered, hmac_.icv_size()));
  }

  bool open(std::uint8_t* esp, std::size_t body, std::uint32_t seq_high) override {
    std::uint8_t hi[4];
    const std::size_t covered = 8 + kIv + body;
    if (!hmac_.verify(ByteSpan(esp, covered), high_bits(seq_high, hi),
                      ByteSpan(esp + covered, hmac_.icv_size()))) {
      return false;
    }
    return cbc_.run(ByteSpan(esp + 8, kIv), MutableByteSpan(esp + 8 + kIv, body));
  }

 private:
  ByteSpan high_bits(std::uint32_t seq_high, std::uint8_t* buf) const {
    if (!esn_) return {};
    store_be32(buf, seq_high);
    return ByteSpan(buf, 4);
  }

  AesCbc cbc_;
  Hmac hmac_;
  bool esn_;
};

}  // namespace

Result<std::unique_ptr<Transform>> make_cbc_hmac_transform(const TransformKeys& k) {
  auto cbc = AesCbc::create(k.keys.encr_key.expose(), k.encrypt);
  if (!cbc) return Unexpected{cbc.error()};
  auto hmac = Hmac::create(k.suite.integ, k.keys.integ_key.expose());
  if (!hmac) return Unexpected{hmac.error()};
  return std::unique_ptr<Transform>(
      std::make_unique<CbcHmacTransform>(std::move(*cbc), std::move(*hmac), k.esn));
}

}  // namespace vpnlab::esp
