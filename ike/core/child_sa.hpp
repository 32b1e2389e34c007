#pragma once
// A CHILD_SA as the IKE core tracks it (the keys live in the dataplane once installed).
// Rekey is make-before-break with named states (STYLE.md): the new SA is installed inbound
// and outbound, the tunnel switches outbound, then the old pair is deleted.

#include <optional>

#include "base/bytes.hpp"
#include "esp/types.hpp"
#include "ike/codec/payload_ts.hpp"
#include "ike/core/proposal.hpp"

namespace vpnlab::ike {

enum class ChildState : std::uint8_t {
  installed,  // in use (outbound active) or, as a rekey responder, installed waiting for the
              // DELETE of the SA it replaces before switching outbound
  rekeying,   // we sent a rekey request for it
  rekeyed,    // replaced; waiting for its DELETE exchange
  deleting,   // we sent a DELETE for it
};

struct ChildSa {
  esp::Spi inbound, outbound;
  ChildSuite suite;
  /// The negotiated traffic selectors (RFC 7296 2.9), ours and the peer's: a peer that
  /// narrows (charon with kernel-libipsec, policy-based devices) shows here.
  std::vector<TrafficSelector> local_ts, remote_ts;
  ChildState state = ChildState::installed;
  bool outbound_active = false;
  /// The SA that replaced this one (set when a rekey completes or is answered).
  std::optional<esp::Spi> replaced_by;
  /// RFC 7296 2.8.1: nonces of the peer's rekey of this SA while we were rekeying it too,
  /// and the inbound SPI of the SA that exchange created.
  Bytes collision_min_nonce;
  std::optional<esp::Spi> collision_new;
};

}  // namespace vpnlab::ike
