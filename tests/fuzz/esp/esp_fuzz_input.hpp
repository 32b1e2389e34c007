#pragma once
// The input format of the esp_decap fuzz target, shared with the unit test that checks
// the seed corpus still decapsulates (so seeds never go stale silently).
// Byte 0: SA selector (low 7 bits) and mode (bit 7: sealed); see esp_decap_fuzz.cpp.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "esp/transform.hpp"
#include "tests/unit/esp/esp_test_util.hpp"

namespace vpnlab::esp::fuzz {

struct Target {
  SuiteId suite;
  bool esn;
  CryptoBackend backend = CryptoBackend::automatic;  // ipsec-mb where it runs
};

inline const Target kTargets[] = {
    {{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none}, false},
    {{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, true},
    {{EncrAlgorithm::chacha20_poly1305, 256, IntegAlgorithm::none}, false},
    {{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96}, false},
    {{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256}, true},
    // The same AES SAs on the OpenSSL backend (appended: older seeds keep their SA).
    {{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none}, false, CryptoBackend::openssl},
    {{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, true, CryptoBackend::openssl},
    {{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96}, false, CryptoBackend::openssl},
    {{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256},
     true,
     CryptoBackend::openssl},
};
inline constexpr std::size_t kTargetCount = sizeof(kTargets) / sizeof(kTargets[0]);

inline SaParams params_of(const Target& t) {
  SaParams p = test::params_for(t.suite, 0x1000, t.esn, 64);
  p.backend = t.backend;
  return p;
}

// Builds SPI | Seq 1 | IV | body | ICV for the SA with this suite, sealed with its keys.
inline std::vector<std::uint8_t> seal_body(const Target& t, const std::uint8_t* data,
                                           std::size_t len) {
  const SaParams p = params_of(t);
  const Overhead o = overhead(t.suite);
  const std::size_t body = len / o.block_size * o.block_size;
  std::vector<std::uint8_t> out(o.headroom + body + o.icv_size, 0);
  store_be32(out.data(), p.spi.value);
  store_be32(out.data() + 4, 1);
  if (body) std::memcpy(out.data() + o.headroom, data, body);
  auto tr = make_transform(TransformKeys{p.suite, p.keys, p.esn, true, p.backend});
  if (!tr || !(*tr)->seal(out.data(), body, 0)) std::abort();
  return out;
}

/// The SA an input targets and the ESP payload (SPI .. ICV) it stands for.
inline const Target& target_of(const std::uint8_t* data) {
  return kTargets[(data[0] & 0x7f) % kTargetCount];
}
inline std::vector<std::uint8_t> payload_of(const std::uint8_t* data, std::size_t size) {
  if (data[0] & 0x80) return seal_body(target_of(data), data + 1, size - 1);
  return std::vector<std::uint8_t>(data + 1, data + size);
}

}  // namespace vpnlab::esp::fuzz
