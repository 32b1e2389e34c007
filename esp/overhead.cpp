#include "esp/overhead.hpp"

namespace vpnlab::esp {

namespace {
std::size_t hmac_icv_size(IntegAlgorithm integ) {
  switch (integ) {
    case IntegAlgorithm::hmac_sha1_96:
      return 12;  // RFC 2404 2
    case IntegAlgorithm::hmac_sha2_256_128:
      return 16;  // RFC 4868 2.3
    case IntegAlgorithm::hmac_sha2_384_192:
      return 24;
    case IntegAlgorithm::hmac_sha2_512_256:
      return 32;
    case IntegAlgorithm::none:
      return 0;
  }
  return 0;
}
}  // namespace

bool suite_supported(const SuiteId& s) {
  const bool aes_key = s.key_bits == 128 || s.key_bits == 256;
  switch (s.encr) {
    case EncrAlgorithm::aes_gcm_16:
      return aes_key && s.integ == IntegAlgorithm::none;
    case EncrAlgorithm::chacha20_poly1305:
      return s.key_bits == 256 && s.integ == IntegAlgorithm::none;
    case EncrAlgorithm::aes_cbc:
      return aes_key && hmac_icv_size(s.integ) != 0;
  }
  return false;
}

Overhead overhead(const SuiteId& suite) {
  if (!suite_supported(suite)) return {};
  Overhead o;
  if (suite.encr == EncrAlgorithm::aes_cbc) {
    o.iv_size = 16;  // RFC 3602 2.1
    o.block_size = 16;
    o.icv_size = hmac_icv_size(suite.integ);
  } else {
    o.iv_size = 8;     // RFC 4106 3.1, RFC 7634 2
    o.block_size = 4;  // RFC 4106 3.2 / RFC 4303 2.4: 4-byte alignment only
    o.icv_size = 16;
  }
  o.headroom = kEspHeaderSize + o.iv_size;
  o.max_tailroom = o.block_size - 1 + 2 + o.icv_size;
  return o;
}

std::size_t padding_for(const Overhead& o, std::size_t inner_length) {
  if (o.block_size == 0) return 0;
  return (o.block_size - (inner_length + 2) % o.block_size) % o.block_size;
}

std::size_t tailroom_for(const Overhead& o, std::size_t inner_length) {
  return padding_for(o, inner_length) + 2 + o.icv_size;
}

}  // namespace vpnlab::esp
