#pragma once
// What BGP (and the lab supervisor) use to program a node's kernel forwarding table:
// a prefix with one or more next hops (several = ECMP multipath). dataplane/linux
// implements it with rtnetlink (libmnl); tests use a recording fake.

#include <optional>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::dataplane {

struct NextHop {
  std::string device;  // e.g. the tunnel's TUN device; empty: chosen by the kernel from gateway
  std::optional<Ipv4Address> gateway;  // none for a point-to-point device
  auto operator<=>(const NextHop&) const = default;
};

/// Routes vpnlab installs carry this protocol number (RTPROT_*), so they can be told apart
/// from the kernel's and removed as a set. 186 is "bgp" in iproute2's rt_protos.
inline constexpr unsigned char kRouteProtocol = 186;

class RouteTable {
 public:
  virtual ~RouteTable() = default;
  /// Adds or replaces the route for prefix with exactly these next hops.
  virtual Result<void> replace(const Ipv4Prefix& prefix, const std::vector<NextHop>& hops) = 0;
  /// Removes vpnlab's route for prefix (not found is success: withdrawal is idempotent).
  virtual Result<void> remove(const Ipv4Prefix& prefix) = 0;
};

}  // namespace vpnlab::dataplane
