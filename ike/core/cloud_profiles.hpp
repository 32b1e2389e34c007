#pragma once
// Cloud gateway behaviour as configuration data (shared/cloud-facts.md §1.1 AWS tunnel
// options, §2.5 Azure IPsec/IKE). A profile fills a PeerConfig's proposals, timers and
// switches; addresses, IDs and the PSK come from the lab plan.

#include "ike/core/config.hpp"

namespace vpnlab::ike {

/// AWS VGW tunnel defaults.
PeerConfig aws_tunnel_defaults();
/// Azure route-based VPN gateway defaults (IKEv2).
PeerConfig azure_defaults();

}  // namespace vpnlab::ike
