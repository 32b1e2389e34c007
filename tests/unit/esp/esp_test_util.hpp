#pragma once
// Helpers for the esp unit tests: deterministic keys, SA parameters, inner packets built
// field by field, buffers with headroom, and an injectable fixed IV source.
#include <cstdlib>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "esp/crypto_backend.hpp"
#include "esp/overhead.hpp"
#include "esp/sa.hpp"

namespace vpnlab::esp::test {

inline Bytes hex(std::string_view text) {
  auto b = from_hex(text);
  if (!b) std::abort();  // a typo in a test vector
  return *b;
}

/// Every backend this build and CPU can run (crypto_backend.hpp): each vector is checked
/// against all of them.
inline std::vector<CryptoBackend> backends() {
  std::vector<CryptoBackend> out{CryptoBackend::openssl};
  if (crypto_backend_available(CryptoBackend::ipsec_mb)) out.push_back(CryptoBackend::ipsec_mb);
  return out;
}

/// Every suite this module implements.
inline std::vector<SuiteId> all_suites() {
  return {
      {EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none},
      {EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none},
      {EncrAlgorithm::chacha20_poly1305, 256, IntegAlgorithm::none},
      {EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha1_96},
      {EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha2_256_128},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_384_192},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256},
  };
}

/// Key material of the right sizes, bytes seed, seed+1, ...
inline SaKeys keys_for(const SuiteId& suite, std::uint8_t seed) {
  Bytes e(encr_keymat_size(suite)), i(integ_keymat_size(suite.integ));
  for (std::size_t n = 0; n < e.size(); ++n) e[n] = static_cast<std::uint8_t>(seed + n);
  for (std::size_t n = 0; n < i.size(); ++n) i[n] = static_cast<std::uint8_t>(seed * 3 + n);
  return SaKeys{SecretBytes(e), SecretBytes(i)};
}

inline SaParams params_for(const SuiteId& suite, std::uint32_t spi = 0x1000, bool esn = false,
                           std::uint32_t window = 1024) {
  SaParams p;
  p.spi = Spi{spi};
  p.suite = suite;
  p.keys = keys_for(suite, 0x40);
  p.esn = esn;
  p.replay_window = window;
  return p;
}

/// An IPv4 packet (RFC 791) of total_len bytes: version/IHL, Total Length, TTL 64,
/// protocol UDP (17), 10.1.0.4 -> 10.2.0.5, payload bytes i & 0xff.
inline Bytes ipv4_packet(std::size_t total_len) {
  Bytes p(total_len);
  for (std::size_t i = 20; i < total_len; ++i) p[i] = static_cast<std::uint8_t>(i);
  p[0] = 0x45;
  store_be16(&p[2], static_cast<std::uint16_t>(total_len));
  p[8] = 64;
  p[9] = 17;
  store_be32(&p[12], 0x0a010004);
  store_be32(&p[16], 0x0a020005);
  return p;
}

/// An IPv6 packet (RFC 8200) of total_len bytes: Payload Length = total_len - 40.
inline Bytes ipv6_packet(std::size_t total_len) {
  Bytes p(total_len);
  for (std::size_t i = 40; i < total_len; ++i) p[i] = static_cast<std::uint8_t>(i * 7);
  p[0] = 0x60;
  store_be16(&p[4], static_cast<std::uint16_t>(total_len - 40));
  p[6] = 17;
  p[7] = 64;
  return p;
}

/// A packet buffer: kMaxHeadroom bytes, the inner packet, then kMaxTailroom bytes.
struct Packet {
  Bytes buf;
  std::size_t offset = kMaxHeadroom;
  std::size_t length = 0;
  explicit Packet(const Bytes& inner, std::size_t tail = kMaxTailroom)
      : buf(kMaxHeadroom + inner.size() + tail, 0xee), length(inner.size()) {
    std::copy(inner.begin(), inner.end(), buf.begin() + kMaxHeadroom);
  }
  Bytes region(std::size_t off, std::size_t len) const {
    return Bytes(buf.begin() + off, buf.begin() + off + len);
  }
};

/// Always writes the same IV (published vectors fix the IV).
class FixedIv final : public IvSource {
 public:
  explicit FixedIv(Bytes iv) : iv_(std::move(iv)) {}
  void next_iv(SequenceNumber, MutableByteSpan iv) override {
    std::copy(iv_.begin(), iv_.begin() + iv.size(), iv.begin());
  }

 private:
  Bytes iv_;
};

}  // namespace vpnlab::esp::test
