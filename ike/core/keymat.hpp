#pragma once
// Key derivation (RFC 7296 2.13-2.18) and the PSK AUTH computation (2.15).
//
//   SKEYSEED = prf(Ni | Nr, g^ir)                                   (2.14)
//   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)                (2.18, IKE SA rekey)
//   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
//            = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
//   KEYMAT   = prf+(SK_d, [g^ir (new) |] Ni | Nr)                   (2.17, CHILD_SA)
//   AUTH     = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)   (2.15)

#include "base/bytes.hpp"
#include "base/secret.hpp"
#include "esp/types.hpp"
#include "ike/codec/header.hpp"
#include "ike/core/proposal.hpp"

namespace vpnlab::ike {

struct IkeKeys {
  SecretBytes sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
};

IkeKeys derive_ike_keys(const IkeSuite& suite, const SecretBytes& skeyseed, ByteSpan ni,
                        ByteSpan nr, IkeSpi spi_i, IkeSpi spi_r);
SecretBytes skeyseed_initial(PrfAlgorithm prf, ByteSpan ni, ByteSpan nr, const SecretBytes& g_ir);
/// old_prf/old_sk_d are those of the IKE SA being rekeyed (2.18).
SecretBytes skeyseed_rekey(PrfAlgorithm old_prf, const SecretBytes& old_sk_d,
                           const SecretBytes& g_ir, ByteSpan ni, ByteSpan nr);

/// The two directions of a CHILD_SA: initiator-to-responder keys come first (2.17).
struct ChildKeys {
  esp::SaKeys i_to_r;
  esp::SaKeys r_to_i;
};
/// g_ir empty when there was no (PFS) key exchange.
ChildKeys derive_child_keys(PrfAlgorithm prf, const SecretBytes& sk_d, const esp::SuiteId& suite,
                            const SecretBytes& g_ir, ByteSpan ni, ByteSpan nr);

/// <SignedOctets> = RealMessage | NonceData(peer) | prf(SK_p, RestOfIDPayload) (2.15) and
/// the PSK MAC over it. The result is compared in constant time by the caller.
Bytes psk_auth(PrfAlgorithm prf, const SecretBytes& psk, const SecretBytes& sk_p,
               ByteSpan real_message, ByteSpan peer_nonce, ByteSpan id_body);

}  // namespace vpnlab::ike
