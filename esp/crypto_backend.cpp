#include "esp/crypto_backend.hpp"

#include "esp/imb.hpp"

namespace vpnlab::esp {

bool crypto_backend_available(CryptoBackend b) {
  return b != CryptoBackend::ipsec_mb || imb::reference() != nullptr;
}

CryptoBackend resolve_crypto_backend(CryptoBackend b) {
  if (b != CryptoBackend::automatic) return b;
  return imb::reference() != nullptr ? CryptoBackend::ipsec_mb : CryptoBackend::openssl;
}

std::string_view crypto_backend_name(CryptoBackend b) {
  switch (b) {
    case CryptoBackend::openssl:
      return "openssl";
    case CryptoBackend::ipsec_mb:
      return "ipsec-mb";
    case CryptoBackend::automatic:
      break;
  }
  return "auto";
}

}  // namespace vpnlab::esp
