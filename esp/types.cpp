// Key material sizes and names of the suites IKE negotiates for ESP.
#include "esp/types.hpp"

namespace vpnlab::esp {

namespace {
constexpr std::size_t kSaltSize = 4;  // RFC 4106 8.1, RFC 7634 2
}

std::size_t encr_keymat_size(const SuiteId& suite) {
  switch (suite.encr) {
    case EncrAlgorithm::aes_cbc:
      return suite.key_bits / 8u;
    case EncrAlgorithm::aes_gcm_16:
      return suite.key_bits / 8u + kSaltSize;
    case EncrAlgorithm::chacha20_poly1305:
      return 32 + kSaltSize;  // RFC 7634 2: 256-bit key only
  }
  return 0;
}

std::size_t integ_keymat_size(IntegAlgorithm integ) {
  switch (integ) {
    case IntegAlgorithm::none:
      return 0;
    case IntegAlgorithm::hmac_sha1_96:
      return 20;  // RFC 2404 3
    case IntegAlgorithm::hmac_sha2_256_128:
      return 32;  // RFC 4868 2.1.1: key = hash output size
    case IntegAlgorithm::hmac_sha2_384_192:
      return 48;
    case IntegAlgorithm::hmac_sha2_512_256:
      return 64;
  }
  return 0;
}

namespace {
std::string_view cbc_name(std::uint16_t bits, IntegAlgorithm integ) {
  const bool k128 = bits == 128;
  if (bits != 128 && bits != 256) return "unknown";
  switch (integ) {
    case IntegAlgorithm::hmac_sha1_96:
      return k128 ? "aes128-sha1" : "aes256-sha1";
    case IntegAlgorithm::hmac_sha2_256_128:
      return k128 ? "aes128-sha256" : "aes256-sha256";
    case IntegAlgorithm::hmac_sha2_384_192:
      return k128 ? "aes128-sha384" : "aes256-sha384";
    case IntegAlgorithm::hmac_sha2_512_256:
      return k128 ? "aes128-sha512" : "aes256-sha512";
    case IntegAlgorithm::none:
      break;
  }
  return "unknown";
}
}  // namespace

std::string_view suite_name(const SuiteId& suite) {
  switch (suite.encr) {
    case EncrAlgorithm::aes_cbc:
      return cbc_name(suite.key_bits, suite.integ);
    case EncrAlgorithm::aes_gcm_16:
      if (suite.integ != IntegAlgorithm::none) return "unknown";
      if (suite.key_bits == 128) return "aes128gcm16";
      if (suite.key_bits == 256) return "aes256gcm16";
      return "unknown";
    case EncrAlgorithm::chacha20_poly1305:
      return suite.integ == IntegAlgorithm::none && suite.key_bits == 256 ? "chacha20poly1305"
                                                                          : "unknown";
  }
  return "unknown";
}

}  // namespace vpnlab::esp
