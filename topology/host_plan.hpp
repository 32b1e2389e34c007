#pragma once
// A gateway node on a host interface: the plan `vpnlab gateway --config PLAN` runs in the
// namespace it is started in (the host's), on a real NIC, against a real router or VM
// (README "A gateway on a real interface"). Pure: no sockets; the system side is
// topology/gateway/host_attach.hpp.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

/// What the user gives `vpnlab topology plan --node N --host-interface IFACE ...`.
struct HostPlanOptions {
  std::string interface;
  /// One address for every tunnel, or one per public address the node's tunnels use (in
  /// the plan's order), host bits kept: 192.0.2.10/24.
  std::vector<Ipv4Prefix> addresses;
  std::optional<Ipv4Address> gateway;
  std::vector<std::string> tunnels;     // keep only these (name or device); empty: all
  std::optional<Ipv4Address> peer_all;  // every tunnel's remote outside
  std::map<std::string, Ipv4Address> peer_by_tunnel;  // per tunnel (name or device)
};

/// The node's lab plan moved onto the host: tunnels selected, its public addresses replaced
/// by the host's, the peers' by the user's device's, an underlay section added, no lab
/// namespace. Errors name the option (--address, --tunnel, --peer-address) or the field.
Checked<GatewayPlan> host_plan(GatewayPlan plan, const HostPlanOptions& options);

/// Checks a plan with an underlay section before anything touches the host; errors name the
/// field (underlay.host, underlay.address, underlay.gateway, tunnels[i].psk ...).
Checked<void> check_host_plan(const GatewayPlan& plan);

/// The text a redacted PSK is replaced by (plans printed without --show-secrets).
inline constexpr const char* kRedactedPsk = "<redacted>";

}  // namespace vpnlab::topology
