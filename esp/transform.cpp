#include "esp/transform.hpp"

#include "base/bytes.hpp"
#include "esp/errors.hpp"
#include "esp/overhead.hpp"

namespace vpnlab::esp {

Result<std::unique_ptr<Transform>> make_transform(const TransformKeys& k) {
  if (!suite_supported(k.suite)) return Unexpected{make_error_code(errc::unsupported_suite)};
  if (k.keys.encr_key.size() != encr_keymat_size(k.suite) ||
      k.keys.integ_key.size() != integ_keymat_size(k.suite.integ)) {
    return Unexpected{make_error_code(errc::bad_key_length)};
  }
  if (!crypto_backend_available(k.backend)) {
    return Unexpected{make_error_code(errc::backend_unavailable)};
  }
  const bool imb = resolve_crypto_backend(k.backend) == CryptoBackend::ipsec_mb;
  switch (k.suite.encr) {
    case EncrAlgorithm::aes_gcm_16:
      return imb ? make_imb_gcm_transform(k) : make_gcm_transform(k);
    case EncrAlgorithm::chacha20_poly1305:
      return make_chacha_transform(k);
    case EncrAlgorithm::aes_cbc:
      return imb ? make_imb_cbc_hmac_transform(k) : make_cbc_hmac_transform(k);
  }
  return Unexpected{make_error_code(errc::unsupported_suite)};
}

std::size_t build_aead_aad(const std::uint8_t* esp, bool esn, std::uint32_t seq_high,
                           std::uint8_t* out) {
  // RFC 4106 5 / RFC 7634 2.1: SPI, then the 32- or 64-bit sequence number.
  std::memcpy(out, esp, 4);
  if (!esn) {
    std::memcpy(out + 4, esp + 4, 4);
    return 8;
  }
  store_be32(out + 4, seq_high);
  std::memcpy(out + 8, esp + 4, 4);
  return 12;
}

}  // namespace vpnlab::esp
