#pragma once
// Resolution of names and addresses that the lab gives: public IPs the clouds would
// assign (RFC 5737 documentation ranges), and the by-name references between resources.
// Pure; anything that does not resolve is left empty for validation to report.

#include <optional>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "topology/model.hpp"

namespace vpnlab::topology {

/// Azure's public IPs come from 203.0.113.0/24 (TEST-NET-3), AWS's tunnel outside IPs from
/// 198.51.100.0/24 (TEST-NET-2); .1 of each is the lab's internet router.
inline const Ipv4Prefix kAzurePublicRange{Ipv4Address{0xcb007100}, 24};
inline const Ipv4Prefix kAwsPublicRange{Ipv4Address{0xc6336400}, 24};

struct TunnelRef {
  std::size_t connection = 0;  // index into aws.vpn_connections
  std::size_t tunnel = 0;      // 0 or 1
  auto operator<=>(const TunnelRef&) const = default;
};

struct Resolved {
  std::vector<std::optional<Ipv4Address>> azure_public_ip;           // per azure.public_ips
  std::vector<std::vector<std::optional<Ipv4Address>>> aws_outside;  // [connection][tunnel]
  std::vector<std::optional<TunnelRef>> lng_tunnel;                  // per local network gateway
  std::vector<std::optional<int>> cgw_instance;            // per customer gateway: Azure instance
  std::vector<std::optional<std::size_t>> connection_lng;  // per Azure connection
};

Resolved resolve(const Lab& lab);

/// The Azure instance (0 or 1) whose public IP a tunnel's customer gateway names.
std::optional<int> tunnel_instance(const Lab& lab, const Resolved& r, TunnelRef t);
/// "ToAzureInstance0.tunnel1"
std::string tunnel_label(const Lab& lab, TunnelRef t);
/// Index of a named item, or nullopt.
template <typename T>
std::optional<std::size_t> find_named(const std::vector<T>& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace vpnlab::topology
