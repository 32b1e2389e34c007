#pragma once
// RFC 4271 §4.3 UPDATE message (after the header):
//
//   +-----------------------------------------------------+
//   |   Withdrawn Routes Length (2 octets)                |
//   +-----------------------------------------------------+
//   |   Withdrawn Routes (variable)                       |
//   +-----------------------------------------------------+
//   |   Total Path Attribute Length (2 octets)            |
//   +-----------------------------------------------------+
//   |   Path Attributes (variable)                        |
//   +-----------------------------------------------------+
//   |   Network Layer Reachability Information (variable) |
//   +-----------------------------------------------------+
//
// End-of-RIB for IPv4 unicast is an UPDATE with all three fields empty (RFC 4724 §2).

#include <vector>

#include "base/result.hpp"
#include "bgp/codec/attributes.hpp"

namespace vpnlab::bgp {

struct UpdateMessage {
  std::vector<Ipv4Prefix> withdrawn;
  PathAttributes attrs;
  std::vector<Ipv4Prefix> nlri;

  /// RFC 4724 §2: End-of-RIB marker for IPv4 unicast (classic or MP_UNREACH form).
  bool is_end_of_rib() const;
  /// Every IPv4 unicast prefix announced / withdrawn, classic and MP fields together.
  std::vector<Ipv4Prefix> announced() const;
  std::vector<Ipv4Prefix> withdrawn_all() const;
  bool operator==(const UpdateMessage&) const = default;
};

/// A decoded UPDATE whose errors did not require a session reset.
struct DecodedUpdate {
  UpdateMessage update;
  Rfc7606Action action = Rfc7606Action::none;  // strongest applied action
  std::vector<DecodeError> errors;             // every non-fatal error, for counters/logs
};

/// body: the message after the header. Returns the session-reset error (with its
/// NOTIFICATION) or the update with RFC 7606 actions already applied: on treat-as-withdraw
/// every announced prefix has been moved to `withdrawn` and the attributes cleared.
Result<DecodedUpdate, DecodeError> decode_update(ByteSpan body, const CodecOptions& opts);
/// The whole message, header included (caller keeps it under 4096 octets).
Bytes encode_update(const UpdateMessage& m, const CodecOptions& opts);
/// The classic End-of-RIB marker (RFC 4724 §2).
Bytes encode_end_of_rib();

}  // namespace vpnlab::bgp
