#pragma once
// What BGP (and the lab supervisor) use to program a node's kernel forwarding table:
// a prefix with one or more next hops (several = ECMP multipath). dataplane/linux
// implements it with rtnetlink (libmnl); tests use a recording fake.

#include <cstddef>
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

/// One change for RouteTable::apply: install prefix via hops, or remove it (hops empty).
struct RouteChange {
  Ipv4Prefix prefix;
  std::vector<NextHop> hops;
};

/// A change RouteTable::apply could not make: its position in the batch and why.
struct RouteFailure {
  std::size_t index = 0;
  std::error_code error;
  std::string message;  // names the route, e.g. "route 10.0.0.0/24 nexthop dev vti0: ..."
};

class RouteTable {
 public:
  virtual ~RouteTable() = default;
  /// Adds or replaces the route for prefix with exactly these next hops.
  virtual Result<void> replace(const Ipv4Prefix& prefix, const std::vector<NextHop>& hops) = 0;
  /// Removes vpnlab's route for prefix (not found is success: withdrawal is idempotent).
  virtual Result<void> remove(const Ipv4Prefix& prefix) = 0;
  /// Applies changes in order (a later change to a prefix wins); returns the failed ones,
  /// each with its index in changes (empty: all applied). This default makes one
  /// replace/remove call per change; rtnetlink batches many per system call.
  virtual std::vector<RouteFailure> apply(const std::vector<RouteChange>& changes) {
    std::vector<RouteFailure> failed;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const auto& c = changes[i];
      auto r = c.hops.empty() ? remove(c.prefix) : replace(c.prefix, c.hops);
      if (!r) failed.push_back(RouteFailure{i, r.error(), "route " + c.prefix.to_string()});
    }
    return failed;
  }
};

}  // namespace vpnlab::dataplane
