#pragma once
// Generic payload header (RFC 7296 3.2), decoded once for every payload, and the payload
// chain: each payload names the type of the next one.
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |C|  RESERVED   |         Payload Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/payload_auth.hpp"
#include "ike/codec/payload_delete.hpp"
#include "ike/codec/payload_id.hpp"
#include "ike/codec/payload_ke.hpp"
#include "ike/codec/payload_nonce.hpp"
#include "ike/codec/payload_notify.hpp"
#include "ike/codec/payload_sa.hpp"
#include "ike/codec/payload_ts.hpp"
#include "ike/codec/payload_vendor.hpp"

namespace vpnlab::ike {

/// A payload we do not interpret (non-critical unknown types, CERT, CERTREQ, CP): kept raw.
struct UnknownPayload {
  Bytes data;
  bool operator==(const UnknownPayload&) const = default;
};

using PayloadBody =
    std::variant<SaPayload, KePayload, IdPayload, AuthPayload, NoncePayload, NotifyPayload,
                 DeletePayload, TsPayload, VendorIdPayload, UnknownPayload>;

struct Payload {
  PayloadType type = PayloadType::none;
  bool critical = false;
  PayloadBody body;
  bool operator==(const Payload&) const = default;
};

/// The last payload of a chain when it is SK (3.14) or SKF (RFC 7383 2.5): a view of its
/// body, still encrypted, and where its generic header starts in the datagram.
struct EncryptedPayload {
  PayloadType type = PayloadType::sk;
  PayloadType inner_first = PayloadType::none;  // Next Payload field of SK/SKF
  std::size_t header_at = 0;                    // offset of the generic payload header
  std::size_t body_at = 0;                      // offset of the body (IV, or SKF numbers)
  std::size_t body_size = 0;
};

struct PayloadChain {
  std::vector<Payload> payloads;
  std::optional<EncryptedPayload> encrypted;
};

/// Decodes payloads until Next Payload is NONE or an SK/SKF payload (which must be last,
/// 3.14). Unknown payloads with the critical bit fail with UNSUPPORTED_CRITICAL_PAYLOAD
/// (data: the type octet, 2.5); others are kept as UnknownPayload.
Result<PayloadChain, ParseError> decode_payloads(ByteReader& r, PayloadType first);

/// Writes the payloads with generic headers; the last one's Next Payload is `next_after`.
void encode_payloads(const std::vector<Payload>& payloads, ByteWriter& w,
                     PayloadType next_after = PayloadType::none);

/// Decodes one payload body of a known type (used by decode_payloads and by tests).
Result<PayloadBody, ParseError> decode_body(PayloadType type, ByteReader& body);
void encode_body(const PayloadBody& body, ByteWriter& w);

}  // namespace vpnlab::ike
