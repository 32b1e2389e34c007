// Netlink: single lookups for the AF_PACKET ESP transport's next hops (next_hop.hpp):
// RTM_GETROUTE for one destination and RTM_GETNEIGH for one neighbour, as `ip route get` and
// `ip neigh get` do. Both are read-only requests any process may make.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netlink_attr.hpp"

namespace vpnlab::dataplane {
namespace {
constexpr std::size_t kBufSize = 1024;
}  // namespace

Checked<RouteLookup> Netlink::route_to(Ipv4Address dst) {
  alignas(nlmsghdr) char buf[kBufSize] = {};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 32;
  mnl_attr_put_u32(nlh, RTA_DST, htonl(dst.value));
  RouteLookup out;
  auto rc = transact(nlh, "route to " + dst.to_string(), [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWROUTE) return;
    for_each_attr(reply, sizeof(rtmsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == RTA_OIF) {
        out.ifindex = static_cast<int>(mnl_attr_get_u32(attr));
      } else if (mnl_attr_get_type(attr) == RTA_GATEWAY) {
        out.gateway = Ipv4Address{ntohl(mnl_attr_get_u32(attr))};
      }
    });
  });
  if (!rc) return Unexpected{rc.error()};
  if (out.ifindex == 0) {
    return fail(make_error_code(netlink_errc::bad_reply),
                "route to " + dst.to_string() + ": the reply names no output device");
  }
  return out;
}

Checked<std::optional<Neighbour>> Netlink::neighbour(int ifindex, Ipv4Address address) {
  alignas(nlmsghdr) char buf[kBufSize] = {};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETNEIGH;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
  ndm->ndm_family = AF_INET;
  ndm->ndm_ifindex = ifindex;
  mnl_attr_put_u32(nlh, NDA_DST, htonl(address.value));
  std::optional<Neighbour> out;
  auto rc = transact(nlh, "neighbour " + address.to_string(), [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWNEIGH) return;
    const auto* n = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(reply));
    Neighbour nb;
    nb.state = n->ndm_state;
    for_each_attr(reply, sizeof(ndmsg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) != NDA_LLADDR) return;
      auto len = std::min<std::size_t>(mnl_attr_get_payload_len(attr), nb.lladdr.size());
      std::memcpy(nb.lladdr.data(), mnl_attr_get_payload(attr), len);
      nb.lladdr_len = static_cast<std::uint8_t>(len);
    });
    out = nb;
  });
  // No entry yet (nothing sent there): not an error, the caller resolves it.
  if (!rc && rc.error().code == std::errc::no_such_file_or_directory) {
    return std::optional<Neighbour>{};
  }
  if (!rc) return Unexpected{rc.error()};
  return out;
}

Checked<LinkInfo> Netlink::link_by_index(int ifindex) {
  auto all = links();
  if (!all) return Unexpected{all.error()};
  for (auto& l : *all) {
    if (l.index == ifindex) return std::move(l);
  }
  return fail(make_error_code(netlink_errc::no_such_device),
              "no link with index " + std::to_string(ifindex));
}

}  // namespace vpnlab::dataplane
