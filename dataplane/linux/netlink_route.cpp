// Netlink: IPv4 routes (RTM_NEWROUTE/DELROUTE/GETROUTE), single and multipath, one per
// transaction or many per sendmsg (apply_routes), and the RouteTable implementation over them.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
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

// apply_routes batches: requests per sendmsg, and at most this many messages so that their
// error replies fit the socket's receive buffer (an overrun falls back to one at a time).
constexpr std::size_t kBatchBytes = 32768;
constexpr std::size_t kBatchMessages = 512;

// Upper bound of one route request: header, rtmsg, RTA_DST/OIF/GATEWAY, or per hop an
// rtnexthop and its RTA_GATEWAY inside RTA_MULTIPATH.
std::size_t route_message_bound(std::size_t hops) {
  return 64 + 16 * hops;
}

// RTM_NEWROUTE (NLM_F_CREATE | NLM_F_REPLACE) for hops, or RTM_DELROUTE when hops is
// empty, written at buf; indexes are the hops' device indexes (0 = by gateway).
nlmsghdr* put_route(char* buf, const Ipv4Prefix& prefix, const std::vector<NextHop>& hops,
                    const std::vector<int>& indexes, unsigned char protocol) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = hops.empty() ? RTM_DELROUTE : RTM_NEWROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | (hops.empty() ? 0 : NLM_F_CREATE | NLM_F_REPLACE);
  rtmsg* rtm = put_rtmsg(nlh, prefix, protocol);
  if (hops.empty()) {
    rtm->rtm_scope = RT_SCOPE_NOWHERE;
  } else if (hops.size() == 1) {
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
  return nlh;
}

// The hops' device indexes from a link list into out; the name of a missing device, if any.
std::optional<std::string> resolve(const std::vector<NextHop>& hops,
                                   const std::vector<LinkInfo>& links, std::vector<int>& out) {
  out.clear();
  for (const auto& h : hops) {
    if (h.device.empty()) {
      out.push_back(0);
      continue;
    }
    auto it = std::find_if(links.begin(), links.end(),
                           [&](const LinkInfo& l) { return l.name == h.device; });
    if (it == links.end()) return h.device;
    out.push_back(it->index);
  }
  return std::nullopt;
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
  nlmsghdr* nlh = put_route(buf, prefix, hops, indexes, protocol);
  // The description is built only on failure: route installs are BGP's hot path.
  auto rc = transact(nlh, "route");
  if (!rc) return fail(rc.error().code, describe(prefix, hops) + rc.error().message.substr(5));
  return rc;
}

Checked<void> Netlink::delete_route(const Ipv4Prefix& prefix, unsigned char protocol) {
  alignas(nlmsghdr) char buf[kBufSize];
  nlmsghdr* nlh = put_route(buf, prefix, {}, {}, protocol);
  auto rc = transact(nlh, "delete route " + prefix.to_string());
  if (!rc && rc.error().code == std::errc::no_such_process) return {};  // ESRCH: not there
  return rc;
}

std::vector<RouteFailure> Netlink::apply_routes(const std::vector<RouteChange>& changes,
                                                unsigned char protocol) {
  std::vector<RouteFailure> failed;
  std::vector<LinkInfo> links;  // device names resolved once per call, not once per route
  bool by_device = std::any_of(changes.begin(), changes.end(), [](const RouteChange& c) {
    return std::any_of(c.hops.begin(), c.hops.end(),
                       [](const NextHop& h) { return !h.device.empty(); });
  });
  if (by_device) {
    auto all = this->links();
    if (all) links = std::move(*all);
  }
  for (std::size_t i = 0; i < changes.size();)
    i = send_route_batch(changes, i, links, protocol, failed);
  return failed;
}

std::size_t Netlink::send_route_batch(const std::vector<RouteChange>& changes, std::size_t from,
                                      const std::vector<LinkInfo>& links, unsigned char protocol,
                                      std::vector<RouteFailure>& failed) {
  if (!tx_buf_) tx_buf_ = std::make_unique<char[]>(kBatchBytes);  // once per socket
  char* buf = tx_buf_.get();
  std::size_t used = 0, i = from;
  std::vector<std::size_t> sent;  // the change each message carries, by seq - first
  std::vector<int> indexes;
  nlmsghdr* last = nullptr;
  const std::uint32_t first = seq_;
  for (; i < changes.size() && sent.size() < kBatchMessages; ++i) {
    const auto& c = changes[i];
    if (used + route_message_bound(c.hops.size()) > kBatchBytes) {
      if (!sent.empty()) break;
      failed.push_back(RouteFailure{i, std::make_error_code(std::errc::message_size),
                                    describe(c.prefix, c.hops) + ": too many next hops"});
      continue;
    }
    if (auto missing = resolve(c.hops, links, indexes)) {
      failed.push_back(
          RouteFailure{i, make_error_code(netlink_errc::no_such_device),
                       describe(c.prefix, c.hops) + ": no device named '" + *missing + "'"});
      continue;
    }
    last = put_route(buf + used, c.prefix, c.hops, indexes, protocol);
    last->nlmsg_seq = seq_++;
    used += last->nlmsg_len;
    sent.push_back(i);
  }
  if (!last) return i;
  last->nlmsg_flags |= NLM_F_ACK;  // the kernel answers failures anyway, success only here
  std::size_t failed_before = failed.size();
  int err = 0;
  if (mnl_socket_sendto(sock_, buf, used) < 0)
    err = errno;
  else
    err = collect_route_acks(changes, sent, first, failed);
  if (err == ENOBUFS) {
    // Replies were dropped (receive buffer overrun): which changes failed is unknown, so
    // drop what is left of them and redo this batch one change per transaction.
    drain();
    failed.resize(failed_before);
    for (std::size_t k : sent) {
      const auto& c = changes[k];
      auto rc = c.hops.empty() ? delete_route(c.prefix, protocol)
                               : replace_route(c.prefix, c.hops, protocol);
      if (!rc) failed.push_back(RouteFailure{k, rc.error().code, rc.error().message});
    }
  } else if (err != 0) {
    for (std::size_t k : sent)
      failed.push_back(RouteFailure{
          k, errno_code(err),
          describe(changes[k].prefix, changes[k].hops) + ": netlink: " + std::strerror(err)});
  }
  return i;
}

// Reads the replies to one batch until the ACK of its last message; each NLMSG_ERROR
// names the failed request by sequence number. Returns 0 or the socket's errno.
int Netlink::collect_route_acks(const std::vector<RouteChange>& changes,
                                const std::vector<std::size_t>& sent, std::uint32_t first,
                                std::vector<RouteFailure>& failed) {
  char* rx = rx_buffer();
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, rx, kRxSize);
    if (n < 0) return errno;
    int left = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx); mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
      std::uint32_t k = nlh->nlmsg_seq - first;  // unsigned: wraps like the counter
      if (nlh->nlmsg_type != NLMSG_ERROR || k >= sent.size() ||
          nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr)))
        continue;  // not ours (an older request's late reply)
      int code = -static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh))->error;
      const auto& c = changes[sent[k]];
      if (code != 0 && !(c.hops.empty() && code == ESRCH))  // deleting a missing route is fine
        failed.push_back(RouteFailure{sent[k], errno_code(code),
                                      describe(c.prefix, c.hops) + ": " + std::strerror(code)});
      if (k + 1 == sent.size()) return 0;
    }
  }
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

std::vector<RouteFailure> NetlinkRouteTable::apply(const std::vector<RouteChange>& changes) {
  auto failed = nl_.apply_routes(changes);
  if (!failed.empty()) last_error_ = failed.back().message;
  return failed;
}

Result<void> NetlinkRouteTable::remove(const Ipv4Prefix& prefix) {
  auto rc = nl_.delete_route(prefix);
  if (rc) return {};
  last_error_ = rc.error().message;
  return Unexpected{rc.error().code};
}

}  // namespace vpnlab::dataplane
