#pragma once
// Which library does an SA's cipher work. Two implement every AES suite, so each checks
// the other in the tests and the micro-benchmarks print one against the other:
//   openssl   OpenSSL EVP (AES-GCM, AES-CBC) and OpenSSL's SHA functions (HMAC); portable.
//   ipsec_mb  Intel's Multi-Buffer Crypto for IPsec (Debian libipsec-mb, x86-64 with
//             AES-NI): per-packet AES-GCM without OpenSSL 3's per-call parameter lookups,
//             and AES-CBC + HMAC for a whole batch of packets at once (CBC encryption is
//             serial within a packet, so only interleaving packets fills the AES units).
// ChaCha20-Poly1305 is always libsodium's.
#include <cstdint>
#include <string_view>

namespace vpnlab::esp {

enum class CryptoBackend : std::uint8_t {
  automatic,  // ipsec_mb where available, else openssl
  openssl,
  ipsec_mb,
};

/// Whether this build has the backend and this CPU can run it (automatic/openssl: always).
bool crypto_backend_available(CryptoBackend b);
/// What `automatic` means on this machine; other values are returned unchanged.
CryptoBackend resolve_crypto_backend(CryptoBackend b);
/// "openssl", "ipsec-mb", "auto".
std::string_view crypto_backend_name(CryptoBackend b);

}  // namespace vpnlab::esp
