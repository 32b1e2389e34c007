// Netlink: IPv4 routes (RTM_NEWROUTE/DELROUTE/GETROUTE), single and multipath, and the
// RouteTable implementation over them.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netlink_attr.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr std::size_t kBufSize = 16384;

rtmsg* put_rtmsg(nlmsghdr* nlh, const Ipv4Prefix& prefix, unsigned char protocol) {
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = prefix.length;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = protocol;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32(nlh, RTA_DST, htonl(prefix.network().value));
  return rtm;
}

std::string describe(const Ipv4Prefix& prefix, const std::vector<NextHop>& hops) {
  std::string s = "route " + prefix.to_string();
  for (const auto& h : hops) {
    s += " nexthop";
    if (!h.device.empty()) s += " dev " + h.device;
    if (h.gateway) s += " via " + h.gateway->to_string();
  }
  return s;
}

}  // namespace

Checked<void> Netlink::replace_route(const Ipv4Prefix& prefix, const std::vector<NextHop>& hops,
                                     unsigned char protocol) {
  if (hops.empty())
    return fail(std::make_error_code(std::errc::invalid_argument),
                describe(prefix, hops) + ": no next hop");
  std::vector<int> indexes;
  for (const auto& h : hops) {
    if (h.device.empty()) {  // the kernel picks the device from the gateway's subnet
      indexes.push_back(0);
      continue;
    }
    auto idx = index_of(h.device);
    if (!idx) return fail(idx.error().code, describe(prefix, hops) + ": " + idx.error().message);
    indexes.push_back(*idx);
  }
  alignas(nlmsghdr) char buf[kBufSize];  // libmnl zeroes what it writes
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_NEWROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
  rtmsg* rtm = put_rtmsg(nlh, prefix, protocol);
  if (hops.size() == 1) {
    if (!hops[0].gateway) rtm->rtm_scope = RT_SCOPE_LINK;
    if (indexes[0] != 0) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<std::uint32_t>(indexes[0]));
    if (hops[0].gateway) mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(hops[0].gateway->value));
  } else {
    // RTA_MULTIPATH: a run of struct rtnexthop, each followed by its own attributes.
    nlattr* mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
    for (std::size_t i = 0; i < hops.size(); ++i) {
      auto* rtnh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(nlh));
      nlh->nlmsg_len += MNL_ALIGN(sizeof(rtnexthop));
      rtnh->rtnh_flags = 0;
      rtnh->rtnh_hops = 0;
      rtnh->rtnh_ifindex = indexes[i];
      if (hops[i].gateway) mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(hops[i].gateway->value));
      rtnh->rtnh_len = static_cast<unsigned short>(
          static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh)) - reinterpret_cast<char*>(rtnh));
    }
    mnl_attr_nest_end(nlh, mp);
  }
  // The description is built only on failure: route installs are BGP's hot path.
  auto rc = transact(nlh, "route");
  if (!rc) return fail(rc.error().code, describe(prefix, hops) + rc.error().message.substr(5));
  return rc;
}

Checked<void> Netlink::delete_route(const Ipv4Prefix& prefix, unsigned char protocol) {
  alignas(nlmsghdr) char buf[kBufSize] = {};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_DELROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  rtmsg* rtm = put_rtmsg(nlh, prefix, protocol);
  rtm->rtm_scope = RT_SCOPE_NOWHERE;
  auto rc = transact(nlh, "delete route " + prefix.to_string());
  if (!rc && rc.error().code == std::errc::no_such_process) return {};  // ESRCH: not there
  return rc;
}

Checked<std::vector<RouteInfo>> Netlink::routes(unsigned char protocol) {
  auto all = links();
  if (!all) return Unexpected{all.error()};
  auto name_of = [&](int index) {
    for (const auto& l : *all) {
      if (l.index == index) return l.name;
    }
    return std::string("if") + std::to_string(index);
  };
  alignas(nlmsghdr) char buf[kBufSize] = {};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  auto* req = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  req->rtm_family = AF_INET;
  std::vector<RouteInfo> out;
  auto rc = transact(nlh, "list routes", [&](const nlmsghdr* reply) {
    if (reply->nlmsg_type != RTM_NEWROUTE) return;
    auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(reply));
    if (rtm->rtm_table != RT_TABLE_MAIN || (protocol != 0 && rtm->rtm_protocol != protocol)) return;
    RouteInfo r;
    r.protocol = rtm->rtm_protocol;
    r.prefix.length = rtm->rtm_dst_len;
    NextHop single;
    bool have_oif = false;
    for_each_attr(reply, sizeof(*rtm), [&](const nlattr* attr) {
      switch (mnl_attr_get_type(attr)) {
        case RTA_DST:
          r.prefix.address = Ipv4Address{ntohl(mnl_attr_get_u32(attr))};
          break;
        case RTA_OIF:
          single.device = name_of(static_cast<int>(mnl_attr_get_u32(attr)));
          have_oif = true;
          break;
        case RTA_GATEWAY:
          single.gateway = Ipv4Address{ntohl(mnl_attr_get_u32(attr))};
          break;
        case RTA_MULTIPATH: {
          auto* rtnh = static_cast<const rtnexthop*>(mnl_attr_get_payload(attr));
          int left = mnl_attr_get_payload_len(attr);
          while (left >= static_cast<int>(sizeof(rtnexthop)) && rtnh->rtnh_len <= left) {
            NextHop hop{name_of(rtnh->rtnh_ifindex), std::nullopt};
            // Attributes of this hop follow the rtnexthop header.
            const auto* a = reinterpret_cast<const nlattr*>(reinterpret_cast<const char*>(rtnh) +
                                                            RTNH_LENGTH(0));
            int alen = rtnh->rtnh_len - static_cast<int>(RTNH_LENGTH(0));
            while (mnl_attr_ok(a, alen)) {
              if (mnl_attr_get_type(a) == RTA_GATEWAY) {
                hop.gateway = Ipv4Address{ntohl(mnl_attr_get_u32(a))};
              }
              a = static_cast<const nlattr*>(mnl_attr_next(a));
              alen = rtnh->rtnh_len - static_cast<int>(reinterpret_cast<const char*>(a) -
                                                       reinterpret_cast<const char*>(rtnh));
            }
            r.hops.push_back(hop);
            left -= RTNH_ALIGN(rtnh->rtnh_len);
            rtnh = reinterpret_cast<const rtnexthop*>(reinterpret_cast<const char*>(rtnh) +
                                                      RTNH_ALIGN(rtnh->rtnh_len));
          }
          break;
        }
        default:
          break;
      }
    });
    if (have_oif) r.hops.insert(r.hops.begin(), single);
    out.push_back(std::move(r));
  });
  if (!rc) return Unexpected{rc.error()};
  return out;
}

Result<void> NetlinkRouteTable::replace(const Ipv4Prefix& prefix,
                                        const std::vector<NextHop>& hops) {
  auto rc = nl_.replace_route(prefix, hops);
  if (rc) return {};
  last_error_ = rc.error().message;
  return Unexpected{rc.error().code};
}

Result<void> NetlinkRouteTable::remove(const Ipv4Prefix& prefix) {
  auto rc = nl_.delete_route(prefix);
  if (rc) return {};
  last_error_ = rc.error().message;
  return Unexpected{rc.error().code};
}

}  // namespace vpnlab::dataplane
