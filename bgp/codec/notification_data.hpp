#pragma once
// What a NOTIFICATION's Data field means, for status ("Cease/Maximum Number of Prefixes
// Reached (IPv4 unicast, upper bound 100)"). RFC 4271 §6 defines the data of some
// code/subcode pairs, RFC 4486 §4 and RFC 9003 those of Cease; everything else is shown as
// hex. A pure function over the bytes: a short or malformed field is named, never read past.

#include <string>

#include "bgp/codec/decode_error.hpp"

namespace vpnlab::bgp {

/// The decoded Data field, "" when it is empty. Never throws.
std::string describe_notification_data(const Notification& n);

/// "Cease/Maximum Number of Prefixes Reached" (RFC 4271 §4.5 / RFC 4486 §4 names).
std::string notification_name(const Notification& n);

}  // namespace vpnlab::bgp
