#include "dataplane/linux/next_hop.hpp"

#include <linux/neighbour.h>

#include <algorithm>
#include <cstring>

namespace vpnlab::dataplane {
namespace {

constexpr auto kRefresh = std::chrono::seconds(1);
constexpr auto kRetryMissing = std::chrono::milliseconds(100);

// NUD states with a link-layer address the kernel itself would send to at once.
bool confirmed(std::uint16_t state) {
  return (state & (NUD_REACHABLE | NUD_PERMANENT | NUD_NOARP)) != 0;
}

bool has_address(std::uint16_t state) {
  return (state & (NUD_INCOMPLETE | NUD_FAILED)) == 0 && state != NUD_NONE;
}

}  // namespace

Checked<NextHopCache> NextHopCache::open() {
  auto nl = Netlink::open();
  if (!nl) return Unexpected{nl.error()};
  return NextHopCache(std::move(*nl));
}

Checked<NextHop4> NextHopCache::resolve(Ipv4Address remote) {
  NextHop4 hop;
  hop.remote = remote;
  auto route = nl_.route_to(remote);
  if (!route) return Unexpected{route.error()};
  hop.ifindex = route->ifindex;
  auto link = nl_.link_by_index(route->ifindex);
  if (!link) return Unexpected{link.error()};
  hop.mtu = link->mtu;
  auto nb = nl_.neighbour(route->ifindex, route->gateway.value_or(remote));
  if (!nb) return Unexpected{nb.error()};
  if (*nb && has_address((*nb)->state) && (*nb)->lladdr_len <= hop.lladdr.size()) {
    std::memcpy(hop.lladdr.data(), (*nb)->lladdr.data(), (*nb)->lladdr_len);
    hop.lladdr_len = (*nb)->lladdr_len;
    hop.usable = true;
    hop.confirm = !confirmed((*nb)->state);
  }
  return hop;
}

void NextHopCache::refresh(NextHop4& hop, Clock::time_point now) {
  auto r = resolve(hop.remote);
  if (r) {
    hop = *r;
  } else {
    hop.usable = false;  // no route or netlink trouble: the kernel's path decides
  }
  hop.read_at = now;
}

NextHop4& NextHopCache::lookup(Ipv4Address remote, Clock::time_point now) {
  if (last_ >= hops_.size() || hops_[last_].remote != remote) {
    auto it = std::find_if(hops_.begin(), hops_.end(),
                           [&](const NextHop4& h) { return h.remote == remote; });
    if (it == hops_.end()) {
      hops_.push_back(NextHop4{remote});
      refresh(hops_.back(), now);
      it = hops_.end() - 1;
    }
    last_ = static_cast<std::size_t>(it - hops_.begin());
  }
  NextHop4& hop = hops_[last_];
  if (now - hop.read_at >= (hop.usable ? Clock::duration(kRefresh) : kRetryMissing)) {
    refresh(hop, now);
  }
  return hop;
}

}  // namespace vpnlab::dataplane
