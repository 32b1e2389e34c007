#pragma once
// Whole BGP messages: NOTIFICATION (RFC 4271 §4.5), KEEPALIVE (§4.4), ROUTE-REFRESH
// (RFC 2918 §3), and decode_message(), which checks the header and dispatches by type.
//
// NOTIFICATION body:  Error code (1) | Error subcode (1) | Data (variable)
// ROUTE-REFRESH body: AFI (2) | Reserved (1) | SAFI (1)

#include <variant>

#include "bgp/codec/header.hpp"
#include "bgp/codec/open.hpp"
#include "bgp/codec/update.hpp"

namespace vpnlab::bgp {

struct KeepaliveMessage {
  bool operator==(const KeepaliveMessage&) const = default;
};
struct RouteRefreshMessage {
  AfiSafi afi_safi = kIpv4Unicast;
  bool operator==(const RouteRefreshMessage&) const = default;
};
using NotificationMessage = Notification;

using Message = std::variant<OpenMessage, DecodedUpdate, NotificationMessage, KeepaliveMessage,
                             RouteRefreshMessage>;

/// Decodes one whole message (header included, exactly its Length long). Errors carry the
/// NOTIFICATION to send; UPDATE errors that RFC 7606 downgrades are inside DecodedUpdate.
Result<Message, DecodeError> decode_message(ByteSpan data, const CodecOptions& opts);

Bytes encode_notification(const Notification& n);
Bytes encode_keepalive();
Bytes encode_route_refresh(const RouteRefreshMessage& m);

}  // namespace vpnlab::bgp
