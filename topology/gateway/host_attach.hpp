#pragma once
// The system side of a gateway on a host interface (plan.hpp HostUnderlay): in the calling
// thread's namespace (the host's), checks the interface, adds the underlay addresses that
// are missing and a /32 route to each peer's outside address (on the link, or through
// underlay.gateway), and on destruction removes exactly what it added (an address or route
// already there is kept and left alone; so is an added address whose removal would take
// other addresses along).

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dataplane/linux/netlink.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

class HostAttachment {
 public:
  /// Errors name the field: underlay.host (no such interface, down), underlay.address (on
  /// another interface, or with another length), underlay.gateway (a different route to a
  /// peer exists).
  static Checked<std::unique_ptr<HostAttachment>> attach(const GatewayPlan& plan);
  ~HostAttachment();
  HostAttachment(const HostAttachment&) = delete;
  HostAttachment& operator=(const HostAttachment&) = delete;

  /// One line per change made or found ("added 192.0.2.10/24 on eth1", "kept ...").
  const std::vector<std::string>& report() const { return report_; }

 private:
  explicit HostAttachment(dataplane::Netlink nl, std::string interface)
      : nl_(std::move(nl)), interface_(std::move(interface)) {}
  Checked<void> check_interface();
  Checked<void> add_address(const Ipv4Prefix& a, const std::vector<dataplane::AddressInfo>& all);
  Checked<void> add_peer_route(Ipv4Address peer, const dataplane::NextHop& hop,
                               const std::vector<dataplane::RouteInfo>& all);
  std::optional<std::string> would_take_along(const Ipv4Prefix& a);

  dataplane::Netlink nl_;
  std::string interface_;
  std::vector<Ipv4Prefix> added_addresses_;
  std::vector<Ipv4Prefix> added_routes_;
  std::vector<std::string> report_;
};

/// The process holding UDP `port` bound to `address` (not 0.0.0.0) in this namespace, as
/// "pid 1234 (charon)", from /proc/net/udp and /proc/<pid>/fd; nullopt when none is found.
std::optional<std::string> udp_port_owner(Ipv4Address address, std::uint16_t port);

}  // namespace vpnlab::topology
