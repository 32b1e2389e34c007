#pragma once
// The IKE SA's SK{} protection with OpenSSL: AES-CBC with HMAC-SHA1/SHA2 (RFC 7296 3.14,
// RFC 3602, RFC 4868) or AES-GCM with a 16-octet ICV (RFC 5282: 8-octet explicit IV, 4-octet
// salt at the end of SK_e, AAD = IKE header through the SK payload header).

#include <memory>

#include "ike/codec/payload_sk.hpp"
#include "ike/core/keymat.hpp"
#include "ike/core/proposal.hpp"
#include "ike/core/rng.hpp"

namespace vpnlab::ike {

/// One side's view: seals with the keys for what we send, opens with the peer's keys.
/// `initiator` selects SK_ei/SK_ai (initiator) or SK_er/SK_ar (responder) for sending.
std::unique_ptr<SkCipher> make_sk_cipher(const IkeSuite& suite, const IkeKeys& keys, bool initiator,
                                         Rng& rng);

}  // namespace vpnlab::ike
