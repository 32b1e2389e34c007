#pragma once
// Which payloads each exchange and role may carry, with min/max counts and whether they
// travel inside SK{} (RFC 7296 1.2-1.5, 3.14; strongSwan message.c payload_rule_t). Checked
// on every decoded message before any task sees it.

#include <array>
#include <cstdint>

#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

struct Message;

struct PayloadRule {
  ExchangeType exchange;
  bool response;
  PayloadType type;
  std::uint8_t min;
  std::uint8_t max;
};

struct ExchangeRule {
  ExchangeType exchange;
  bool encrypted;  // payloads must be inside SK{} (all but IKE_SA_INIT)
};

inline constexpr std::uint8_t kMany = 255;

inline constexpr std::array<ExchangeRule, 4> kExchangeRules{{
    {ExchangeType::ike_sa_init, false},
    {ExchangeType::ike_auth, true},
    {ExchangeType::create_child_sa, true},
    {ExchangeType::informational, true},
}};

// clang-format off
inline constexpr std::array<PayloadRule, 53> kPayloadRules{{
    // RFC 7296 1.2: HDR, SAi1, KEi, Ni [, N+] / HDR, SAr1, KEr, Nr [, CERTREQ] [, N+]
    {ExchangeType::ike_sa_init, false, PayloadType::notify, 0, kMany},
    {ExchangeType::ike_sa_init, false, PayloadType::sa, 1, 1},
    {ExchangeType::ike_sa_init, false, PayloadType::ke, 1, 1},
    {ExchangeType::ike_sa_init, false, PayloadType::nonce, 1, 1},
    {ExchangeType::ike_sa_init, false, PayloadType::vendor_id, 0, kMany},
    // Responses may be a lone notify (COOKIE, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN).
    {ExchangeType::ike_sa_init, true, PayloadType::notify, 0, kMany},
    {ExchangeType::ike_sa_init, true, PayloadType::sa, 0, 1},
    {ExchangeType::ike_sa_init, true, PayloadType::ke, 0, 1},
    {ExchangeType::ike_sa_init, true, PayloadType::nonce, 0, 1},
    {ExchangeType::ike_sa_init, true, PayloadType::certreq, 0, kMany},
    {ExchangeType::ike_sa_init, true, PayloadType::vendor_id, 0, kMany},
    // RFC 7296 1.2: SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr}
    {ExchangeType::ike_auth, false, PayloadType::notify, 0, kMany},
    {ExchangeType::ike_auth, false, PayloadType::id_i, 1, 1},
    {ExchangeType::ike_auth, false, PayloadType::cert, 0, 4},
    {ExchangeType::ike_auth, false, PayloadType::certreq, 0, kMany},
    {ExchangeType::ike_auth, false, PayloadType::id_r, 0, 1},
    {ExchangeType::ike_auth, false, PayloadType::auth, 1, 1},
    {ExchangeType::ike_auth, false, PayloadType::cp, 0, 1},
    {ExchangeType::ike_auth, false, PayloadType::sa, 0, 1},
    {ExchangeType::ike_auth, false, PayloadType::ts_i, 0, 1},
    {ExchangeType::ike_auth, false, PayloadType::ts_r, 0, 1},
    {ExchangeType::ike_auth, false, PayloadType::vendor_id, 0, kMany},
    // SK {IDr, [CERT,] AUTH, SAr2, TSi, TSr}, or a lone error notify (2.21.2).
    {ExchangeType::ike_auth, true, PayloadType::notify, 0, kMany},
    {ExchangeType::ike_auth, true, PayloadType::id_r, 0, 1},
    {ExchangeType::ike_auth, true, PayloadType::cert, 0, 4},
    {ExchangeType::ike_auth, true, PayloadType::auth, 0, 1},
    {ExchangeType::ike_auth, true, PayloadType::cp, 0, 1},
    {ExchangeType::ike_auth, true, PayloadType::sa, 0, 1},
    {ExchangeType::ike_auth, true, PayloadType::ts_i, 0, 1},
    {ExchangeType::ike_auth, true, PayloadType::ts_r, 0, 1},
    {ExchangeType::ike_auth, true, PayloadType::vendor_id, 0, kMany},
    // RFC 7296 1.3: SK {[N(REKEY_SA)], SA, Ni, [KEi], [TSi, TSr]}
    {ExchangeType::create_child_sa, false, PayloadType::notify, 0, kMany},
    {ExchangeType::create_child_sa, false, PayloadType::sa, 1, 1},
    {ExchangeType::create_child_sa, false, PayloadType::nonce, 1, 1},
    {ExchangeType::create_child_sa, false, PayloadType::ke, 0, 1},
    {ExchangeType::create_child_sa, false, PayloadType::ts_i, 0, 1},
    {ExchangeType::create_child_sa, false, PayloadType::ts_r, 0, 1},
    {ExchangeType::create_child_sa, false, PayloadType::vendor_id, 0, kMany},
    {ExchangeType::create_child_sa, true, PayloadType::notify, 0, kMany},
    {ExchangeType::create_child_sa, true, PayloadType::sa, 0, 1},
    {ExchangeType::create_child_sa, true, PayloadType::nonce, 0, 1},
    {ExchangeType::create_child_sa, true, PayloadType::ke, 0, 1},
    {ExchangeType::create_child_sa, true, PayloadType::ts_i, 0, 1},
    {ExchangeType::create_child_sa, true, PayloadType::ts_r, 0, 1},
    {ExchangeType::create_child_sa, true, PayloadType::vendor_id, 0, kMany},
    // RFC 7296 1.4: SK {[N,] [D,] [CP,] ...}
    {ExchangeType::informational, false, PayloadType::notify, 0, kMany},
    {ExchangeType::informational, false, PayloadType::delete_, 0, kMany},
    {ExchangeType::informational, false, PayloadType::cp, 0, 1},
    {ExchangeType::informational, false, PayloadType::vendor_id, 0, kMany},
    {ExchangeType::informational, true, PayloadType::notify, 0, kMany},
    {ExchangeType::informational, true, PayloadType::delete_, 0, kMany},
    {ExchangeType::informational, true, PayloadType::cp, 0, 1},
    {ExchangeType::informational, true, PayloadType::vendor_id, 0, kMany},
}};
// clang-format on

/// Checks exchange type, encryption and payload counts. A known payload type not listed for
/// the exchange/role is INVALID_SYNTAX; unknown non-critical payloads were already kept as
/// UnknownPayload and are ignored here (RFC 7296 2.5).
Result<void, ParseError> check_rules(const Message& m);

}  // namespace vpnlab::ike
