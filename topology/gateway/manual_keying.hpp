#pragma once
// Manual keying (lab.keying: manual): both ends of a tunnel derive the same fixed SA pair
// from the tunnel's PSK, like `ip xfrm state` with fixed keys, so the ESP dataplane and
// everything over it (BGP, traffic, drills) run without IKE. Keys and SPIs come from
// HKDF-SHA256 (RFC 5869) over the PSK with the tunnel's device name, inside CIDR and the
// direction as context, so each direction of each tunnel has its own key.
//
// The suite is AES-256-GCM-16 over raw ESP (IP protocol 50), which both clouds accept
// (cloud-facts §1.1 phase 2 encryption; §2.5 Azure's first QM offer).

#include "base/result.hpp"
#include "dataplane/core/sa_installer.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

struct ManualSaPair {
  dataplane::SaConfig inbound, outbound;
};

/// The SA pair this end installs; the peer's derivation mirrors it (its outbound = our
/// inbound). `aws_side` tells the direction labels apart.
Checked<ManualSaPair> derive_manual_sas(const TunnelPlan& tunnel, bool aws_side);

}  // namespace vpnlab::topology
