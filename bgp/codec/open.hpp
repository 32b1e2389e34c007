#pragma once
// RFC 4271 §4.2 OPEN message (after the header):
//
//   +-+-+-+-+-+-+-+-+
//   |    Version    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     My Autonomous System      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           Hold Time           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         BGP Identifier                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Opt Parm Len  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |             Optional Parameters (variable)                    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Checks done here need no session context (version, hold time 1-2, identifier 0,
// parameter syntax); peer AS and identifier collisions are checked by the FSM.

#include "base/ip.hpp"
#include "base/result.hpp"
#include "bgp/codec/capabilities.hpp"

namespace vpnlab::bgp {

struct OpenMessage {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // the 2-octet field; AS_TRANS when the ASN does not fit
  Seconds hold_time{0};
  Ipv4Address bgp_identifier;
  Capabilities capabilities;

  /// RFC 6793 §4.1: the peer's ASN is the 4-octet capability's when present.
  Asn asn() const { return capabilities.four_octet_as.value_or(Asn{my_as}); }
  bool operator==(const OpenMessage&) const = default;
};

/// body: the message after the 19-octet header; offsets are reported from the header start.
Result<OpenMessage, DecodeError> decode_open(ByteSpan body);
/// A whole OPEN message, header included.
Bytes encode_open(const OpenMessage& m);
/// An OPEN for local ASN asn: my_as is asn or AS_TRANS, and the 4-octet capability is set.
OpenMessage make_open(Asn asn, Seconds hold_time, Ipv4Address id, Capabilities caps);

}  // namespace vpnlab::bgp
