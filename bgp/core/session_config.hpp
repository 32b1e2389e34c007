#pragma once
// Per-peer session parameters: plain data, filled from a cloud personality (cloud.hpp) or a
// config file by the caller.

#include "base/ip.hpp"
#include "bgp/codec/types.hpp"

namespace vpnlab::bgp {

struct SessionConfig {
  Asn local_asn;
  Ipv4Address router_id;      // our BGP Identifier
  Ipv4Address local_address;  // the APIPA address we bind to / next hop self
  Ipv4Address peer_address;
  Asn peer_asn;
  Seconds hold_time{180};      // proposed in OPEN; 0 = no keepalives (RFC 4271 §4.2)
  Seconds keepalive_time{60};  // upper bound; at most a third of the negotiated hold time
  Seconds connect_retry_time{5};
  Seconds idle_hold_time{5};  // delay before the automatic restart after an error
  // RFC 4271 §8.2.2: "large value" for the hold timer while waiting for OPEN (4 minutes).
  Seconds open_hold_time{240};
  bool passive = false;  // never initiate TCP (RFC 4271 §8.1.1 PassiveTcpEstablishment)
  bool route_refresh = true;
  bool graceful_restart_helper = true;  // RFC 4724 receiving-speaker procedures
  Seconds advertised_restart_time{120};
  /// List IPv4 unicast (forwarding state preserved) in our Graceful Restart capability, so
  /// the peer retains our routes across our restart (RFC 4724 §3). Off: helper only.
  bool graceful_restart_families = false;

  bool ebgp() const { return local_asn != peer_asn; }
};

}  // namespace vpnlab::bgp
