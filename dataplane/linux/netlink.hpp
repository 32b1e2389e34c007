#pragma once
// rtnetlink through libmnl: links (veth, bridge, up/down, MTU, master, namespace), IPv4
// addresses and routes (multipath for ECMP) - what `ip link/addr/route` do, without
// shelling out. One Netlink object is one NETLINK_ROUTE socket; it acts in the network
// namespace it was opened in (Netlink::open_in enters a named namespace just for the socket).
//
// Errors are environment errors: an error_code in the "vpnlab.netlink" category or the
// kernel's errno, plus a message naming the device, address or route involved.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "dataplane/core/route_table.hpp"

struct mnl_socket;
struct nlmsghdr;

namespace vpnlab::dataplane {

enum class netlink_errc { socket_failed = 1, bad_reply, no_such_device, name_too_long };
const std::error_category& netlink_category() noexcept;
inline std::error_code make_error_code(netlink_errc e) noexcept {
  return {static_cast<int>(e), netlink_category()};
}

struct LinkInfo {
  int index = 0;
  std::string name;
  unsigned mtu = 0;
  bool up = false;       // administratively up (IFF_UP)
  bool running = false;  // operationally up (IFF_RUNNING): carrier and qdisc ready
};

struct AddressInfo {
  std::string device;
  Ipv4Address address;
  std::uint8_t prefix_length = 0;
  bool secondary = false;  // IFA_F_SECONDARY: another address of its subnet came first
};

/// Where the kernel sends packets for one destination (RTM_GETROUTE, like `ip route get`).
struct RouteLookup {
  int ifindex = 0;
  std::optional<Ipv4Address> gateway;  // none: on link
};

/// One neighbour entry (RTM_GETNEIGH, like `ip neigh get`): its link-layer address, if
/// resolved, and the NUD state (NUD_REACHABLE, NUD_STALE, ...: linux/neighbour.h).
struct Neighbour {
  std::array<std::uint8_t, 32> lladdr{};
  std::uint8_t lladdr_len = 0;
  std::uint16_t state = 0;
};

struct RouteInfo {
  Ipv4Prefix prefix;
  std::vector<NextHop> hops;
  unsigned char protocol = 0;
};

class Netlink {
 public:
  /// A socket in the calling thread's current network namespace.
  static Checked<Netlink> open();
  /// A socket in the named namespace (/run/netns/NAME); the calling thread is not moved.
  static Checked<Netlink> open_in(const std::string& netns);

  Netlink(Netlink&&) noexcept;
  Netlink& operator=(Netlink&&) noexcept;
  ~Netlink();

  Checked<LinkInfo> link(std::string_view name);
  Checked<std::vector<LinkInfo>> links();
  /// A veth pair: `name` stays here, `peer` goes to the namespace open as peer_netns_fd
  /// (-1: this namespace).
  Checked<void> add_veth(std::string_view name, std::string_view peer, int peer_netns_fd = -1);
  Checked<void> add_bridge(std::string_view name);
  Checked<void> set_master(std::string_view name, std::string_view master);
  /// True once a bridge port forwards (BR_STATE_FORWARDING); packets sent before are lost.
  Checked<bool> bridge_port_forwarding(std::string_view name);
  Checked<void> set_up(std::string_view name, bool up = true);
  Checked<void> set_mtu(std::string_view name, unsigned mtu);
  Checked<void> delete_link(std::string_view name);

  /// Adds address/len on the device; an address already present is success (idempotent).
  Checked<void> add_address(std::string_view device, Ipv4Address address, std::uint8_t length);
  /// Removes address/len from the device; an address that is not there is success. Removing
  /// a primary address removes its subnet's secondaries too, unless the device's
  /// promote_secondaries sysctl is set (Linux devinet).
  Checked<void> delete_address(std::string_view device, Ipv4Address address, std::uint8_t length);
  Checked<std::vector<AddressInfo>> addresses();

  /// Adds or replaces the route; several hops make a multipath (ECMP) route.
  Checked<void> replace_route(const Ipv4Prefix& prefix, const std::vector<NextHop>& hops,
                              unsigned char protocol = kRouteProtocol);
  /// Removes the route; a route that is not there is success.
  Checked<void> delete_route(const Ipv4Prefix& prefix, unsigned char protocol = kRouteProtocol);
  /// Applies route changes (empty hops = delete) in batches: many RTM_NEWROUTE/RTM_DELROUTE
  /// messages per sendmsg, an ACK requested only on each batch's last one; the kernel
  /// reports every failure with its sequence number, so each maps back to its change.
  /// Returns the failed changes (deleting a route that is not there is success).
  std::vector<RouteFailure> apply_routes(const std::vector<RouteChange>& changes,
                                         unsigned char protocol = kRouteProtocol);
  /// The route the kernel would use for dst (any table, policy routing included).
  Checked<RouteLookup> route_to(Ipv4Address dst);
  /// The neighbour entry of `address` on the device, or nullopt when there is none.
  Checked<std::optional<Neighbour>> neighbour(int ifindex, Ipv4Address address);
  /// The link with this index (its name, MTU, state).
  Checked<LinkInfo> link_by_index(int ifindex);
  /// Main-table IPv4 routes (protocol filter 0 = all).
  Checked<std::vector<RouteInfo>> routes(unsigned char protocol = 0);

 private:
  explicit Netlink(mnl_socket* sock);
  Checked<int> index_of(std::string_view name);
  Checked<void> change_address(std::uint16_t type, std::uint16_t flags, std::string_view device,
                               Ipv4Address address, std::uint8_t length, std::string_view what);
  // Sends one request and waits for its ACK (or the dump's end); on_reply sees each reply.
  using ReplyHandler = std::function<void(const nlmsghdr*)>;
  Checked<void> transact(nlmsghdr* request, std::string_view what,
                         const ReplyHandler& on_reply = {});
  char* rx_buffer();
  void drain();  // discards replies still queued (after a receive-buffer overrun)
  // apply_routes: sends one batch starting at changes[from]; returns where it stopped.
  std::size_t send_route_batch(const std::vector<RouteChange>& changes, std::size_t from,
                               const std::vector<LinkInfo>& links, unsigned char protocol,
                               std::vector<RouteFailure>& failed);
  int collect_route_acks(const std::vector<RouteChange>& changes,
                         const std::vector<std::size_t>& sent, std::uint32_t first,
                         std::vector<RouteFailure>& failed);

  static constexpr std::size_t kRxSize = 16384;  // a full dump batch (libmnl's advice)
  mnl_socket* sock_ = nullptr;
  unsigned port_id_ = 0;
  unsigned seq_ = 1;
  std::unique_ptr<char[]> rx_buf_;  // replies; allocated on first use, reused
  std::unique_ptr<char[]> tx_buf_;  // apply_routes batches; allocated on first use, reused
};

/// RouteTable over rtnetlink: what BGP and the lab supervisor install routes with.
class NetlinkRouteTable final : public RouteTable {
 public:
  explicit NetlinkRouteTable(Netlink netlink) : nl_(std::move(netlink)) {}
  Result<void> replace(const Ipv4Prefix& prefix, const std::vector<NextHop>& hops) override;
  Result<void> remove(const Ipv4Prefix& prefix) override;
  std::vector<RouteFailure> apply(const std::vector<RouteChange>& changes) override;
  /// The message of the last failure (RouteTable's interface carries only the code).
  const std::string& last_error() const { return last_error_; }

 private:
  Netlink nl_;
  std::string last_error_;
};

}  // namespace vpnlab::dataplane

template <>
struct std::is_error_code_enum<vpnlab::dataplane::netlink_errc> : std::true_type {};
