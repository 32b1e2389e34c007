#pragma once
// Diffie-Hellman for IKEv2 through OpenSSL 3 EVP_PKEY (RFC 7296 2.14, 3.4):
//   MODP groups 2 (RFC 2409), 5 and 14-18 (RFC 3526), 22-24 (RFC 5114, prime order
//   subgroup), ECP groups 19-21 (RFC 5903: public value x||y without the 0x04 octet, shared
//   secret x only), 31 Curve25519 (RFC 8031: 32-octet u-coordinate).
// MODP public values and shared secrets are padded to the prime length (3.4, 2.14).

#include <cstdint>
#include <memory>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"
#include "ike/codec/errors.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace vpnlab::ike {

/// IKEv2 Transform Type 4 (Key Exchange Method) IDs.
enum class DhGroup : std::uint16_t {
  none = 0,
  modp_1024 = 2,
  modp_1536 = 5,
  modp_2048 = 14,
  modp_3072 = 15,
  modp_4096 = 16,
  modp_6144 = 17,
  modp_8192 = 18,
  ecp_256 = 19,
  ecp_384 = 20,
  ecp_521 = 21,
  modp_1024_160 = 22,
  modp_2048_224 = 23,
  modp_2048_256 = 24,
  curve25519 = 31,
};

bool is_supported(DhGroup g);
/// Octets of the KE payload's Key Exchange Data for this group.
std::size_t dh_public_size(DhGroup g);

class DhKeyPair {
 public:
  ~DhKeyPair();
  DhKeyPair(DhKeyPair&&) noexcept;
  DhKeyPair& operator=(DhKeyPair&&) noexcept;

  /// A fresh key pair from OpenSSL's DRBG. Fails only for unsupported groups or library
  /// failures (errc::internal).
  static Result<DhKeyPair, ParseError> generate(DhGroup group);
  /// Known-answer tests: a key pair from a given private value (ECP: scalar plus the public
  /// x||y, which OpenSSL's import needs; X25519: raw 32 octets, pub unused). Not for MODP.
  static Result<DhKeyPair, ParseError> from_private_for_test(DhGroup group, ByteSpan priv,
                                                             ByteSpan pub = {});

  DhGroup group() const { return group_; }
  /// Our public value as the KE payload carries it.
  const Bytes& public_value() const { return public_; }
  /// g^ir from the peer's KE data. A wrong length or an invalid point/element is
  /// INVALID_SYNTAX (RFC 7296 3.4 says the length is fixed per group).
  Result<SecretBytes, ParseError> shared_secret(ByteSpan peer_public) const;

 private:
  DhKeyPair(DhGroup group, EVP_PKEY* key);
  DhGroup group_;
  EVP_PKEY* key_ = nullptr;
  Bytes public_;
};

}  // namespace vpnlab::ike
