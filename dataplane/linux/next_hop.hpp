#pragma once
// Next hops of the AF_PACKET ESP transport (packet_socket.hpp): for each peer's outer
// address, the device and the link-layer address the kernel's own path would send to (the
// route's gateway, or the peer itself on link) and the device's MTU. Read from the kernel
// with rtnetlink (`ip route get`, `ip neigh get`), never guessed.
//
// The kernel owns neighbour resolution: while a peer's neighbour entry is missing or not
// confirmed (NUD_STALE, DELAY, PROBE), `lookup` says so and the socket sends that packet
// through its raw socket instead, so the kernel's own path ARPs (RFC 826) and confirms the
// entry. Entries are re-read once a second (a changed route or MAC is picked up), missing
// ones at most every 100 ms. One cache per socket, used by one worker thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "dataplane/linux/netlink.hpp"

namespace vpnlab::dataplane {

struct NextHop4 {
  Ipv4Address remote;
  int ifindex = 0;
  std::uint32_t mtu = 0;
  std::array<std::uint8_t, 8> lladdr{};
  std::uint8_t lladdr_len = 0;
  bool usable = false;   // resolved: frames may go out on AF_PACKET
  bool confirm = false;  // not confirmed: send the next packet through the kernel
  std::chrono::steady_clock::time_point read_at{};
};

class NextHopCache {
 public:
  using Clock = std::chrono::steady_clock;
  static Checked<NextHopCache> open();

  /// The next hop for `remote`, re-read when due. Never null; check `usable`.
  NextHop4& lookup(Ipv4Address remote, Clock::time_point now);
  /// Reads one next hop from the kernel now (route, neighbour, MTU). Errors name the step.
  Checked<NextHop4> resolve(Ipv4Address remote);

 private:
  explicit NextHopCache(Netlink nl) : nl_(std::move(nl)) {}
  void refresh(NextHop4& hop, Clock::time_point now);

  Netlink nl_;
  std::vector<NextHop4> hops_;  // a gateway has a handful of peers: a linear scan
  std::size_t last_ = 0;        // the last hit (a batch usually goes to one peer)
};

}  // namespace vpnlab::dataplane
