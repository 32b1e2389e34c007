#include "dataplane/linux/netlink.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/errors.hpp"
#include "dataplane/linux/netlink_attr.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::dataplane {
namespace {

class NetlinkCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vpnlab.netlink"; }
  std::string message(int ev) const override {
    switch (static_cast<netlink_errc>(ev)) {
      case netlink_errc::socket_failed:
        return "netlink socket failed";
      case netlink_errc::bad_reply:
        return "malformed netlink reply";
      case netlink_errc::no_such_device:
        return "no such device";
      case netlink_errc::name_too_long:
        return "interface name too long";
    }
    return "unknown netlink error";
  }
};

// Large enough for a full RTM_GETROUTE dump batch (libmnl's recommended size).
constexpr std::size_t kBufSize = 16384;

// Not zero-filled: libmnl zeroes every header, attribute and padding it writes.
struct Request {
  alignas(nlmsghdr) char buf[kBufSize];
  nlmsghdr* nlh;
  Request(std::uint16_t type, std::uint16_t flags) {
    nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  }
};

Checked<void> check_name(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return fail(make_error_code(netlink_errc::name_too_long),
                "interface name '" + std::string(name) + "' must be 1-15 characters");
  }
  return {};
}

std::uint32_t be32(Ipv4Address a) {
  return htonl(a.value);
}

}  // namespace

const std::error_category& netlink_category() noexcept {
  static const NetlinkCategory category;
  return category;
}

Netlink::Netlink(mnl_socket* sock) : sock_(sock), port_id_(mnl_socket_get_portid(sock)) {}
Netlink::Netlink(Netlink&& o) noexcept
    : sock_(o.sock_),
      port_id_(o.port_id_),
      seq_(o.seq_),
      rx_buf_(std::move(o.rx_buf_)),
      tx_buf_(std::move(o.tx_buf_)) {
  o.sock_ = nullptr;
}
Netlink& Netlink::operator=(Netlink&& o) noexcept {
  if (this != &o) {
    if (sock_) mnl_socket_close(sock_);
    sock_ = o.sock_;
    port_id_ = o.port_id_;
    seq_ = o.seq_;
    rx_buf_ = std::move(o.rx_buf_);
    tx_buf_ = std::move(o.tx_buf_);
    o.sock_ = nullptr;
  }
  return *this;
}
Netlink::~Netlink() {
  if (sock_) mnl_socket_close(sock_);
}

Checked<Netlink> Netlink::open() {
  mnl_socket* sock = mnl_socket_open(NETLINK_ROUTE);
  if (!sock) return fail(errno_code(errno), "cannot open a NETLINK_ROUTE socket");
  if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    mnl_socket_close(sock);
    return fail(errno_code(err), "cannot bind the NETLINK_ROUTE socket");
  }
  // Error replies without the request echoed (apply_routes reads many per batch), and room
  // for them: both best effort (older kernels / no CAP_NET_ADMIN), correctness does not
  // depend on them (an overrun is detected and the batch redone).
  int on = 1, rcvbuf = 1 << 20;
  int fd = mnl_socket_get_fd(sock);
  (void)::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  return Netlink(sock);
}

Checked<Netlink> Netlink::open_in(const std::string& netns) {
  // A socket belongs to the namespace it was created in, whatever thread uses it later.
  auto scope = NetnsScope::enter(netns);
  if (!scope) return Unexpected{scope.error()};
  return open();
}

Checked<void> Netlink::transact(nlmsghdr* request, std::string_view what,
                                const ReplyHandler& on_reply) {
  request->nlmsg_seq = seq_++;
  request->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(sock_, request, request->nlmsg_len) < 0) {
    return fail(errno_code(errno), std::string(what) + ": netlink send failed");
  }
  char* buf = rx_buffer();
  auto cb = [](const nlmsghdr* nlh, void* data) -> int {
    const auto* handler = static_cast<const ReplyHandler*>(data);
    if (*handler) (*handler)(nlh);
    return MNL_CB_OK;
  };
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf, kRxSize);
    if (n < 0) return fail(errno_code(errno), std::string(what) + ": netlink receive failed");
    int rc = mnl_cb_run(buf, static_cast<std::size_t>(n), request->nlmsg_seq, port_id_, cb,
                        const_cast<ReplyHandler*>(&on_reply));
    if (rc == MNL_CB_STOP) return {};
    if (rc == MNL_CB_ERROR) {
      return fail(errno_code(errno), std::string(what) + ": " + std::strerror(errno));
    }
  }
}

char* Netlink::rx_buffer() {
  if (!rx_buf_) rx_buf_ = std::make_unique<char[]>(kRxSize);  // once per socket
  return rx_buf_.get();
}

void Netlink::drain() {
  char* buf = rx_buffer();
  while (::recv(mnl_socket_get_fd(sock_), buf, kRxSize, MSG_DONTWAIT) >= 0) {
  }
}

Checked<std::vector<LinkInfo>> Netlink::links() {
  Request req(RTM_GETLINK, NLM_F_DUMP);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  std::vector<LinkInfo> out;
  auto rc = transact(req.nlh, "list links", [&](const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWLINK) return;
    auto* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    LinkInfo link{info->ifi_index, "", 0, (info->ifi_flags & IFF_UP) != 0,
                  (info->ifi_flags & IFF_RUNNING) != 0};
    for_each_attr(nlh, sizeof(*info), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == IFLA_IFNAME) link.name = mnl_attr_get_str(attr);
      if (mnl_attr_get_type(attr) == IFLA_MTU) link.mtu = mnl_attr_get_u32(attr);
    });
    out.push_back(std::move(link));
  });
  if (!rc) return Unexpected{rc.error()};
  return out;
}

Checked<LinkInfo> Netlink::link(std::string_view name) {
  auto all = links();
  if (!all) return Unexpected{all.error()};
  for (auto& l : *all) {
    if (l.name == name) return l;
  }
  return fail(make_error_code(netlink_errc::no_such_device),
              "no device named '" + std::string(name) + "'");
}

Checked<int> Netlink::index_of(std::string_view name) {
  auto l = link(name);
  if (!l) return Unexpected{l.error()};
  return l->index;
}

Checked<void> Netlink::add_veth(std::string_view name, std::string_view peer, int peer_netns_fd) {
  if (auto c = check_name(name); !c) return c;
  if (auto c = check_name(peer); !c) return c;
  Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(req.nlh, IFLA_IFNAME, std::string(name).c_str());
  nlattr* linkinfo = mnl_attr_nest_start(req.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(req.nlh, IFLA_INFO_KIND, "veth");
  nlattr* data = mnl_attr_nest_start(req.nlh, IFLA_INFO_DATA);
  nlattr* peer_attr = mnl_attr_nest_start(req.nlh, VETH_INFO_PEER);
  auto* peer_ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  peer_ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(req.nlh, IFLA_IFNAME, std::string(peer).c_str());
  if (peer_netns_fd >= 0) mnl_attr_put_u32(req.nlh, IFLA_NET_NS_FD, peer_netns_fd);
  mnl_attr_nest_end(req.nlh, peer_attr);
  mnl_attr_nest_end(req.nlh, data);
  mnl_attr_nest_end(req.nlh, linkinfo);
  return transact(req.nlh, "create veth " + std::string(name) + " <-> " + std::string(peer));
}

Checked<void> Netlink::add_bridge(std::string_view name) {
  if (auto c = check_name(name); !c) return c;
  Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(req.nlh, IFLA_IFNAME, std::string(name).c_str());
  nlattr* linkinfo = mnl_attr_nest_start(req.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(req.nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end(req.nlh, linkinfo);
  return transact(req.nlh, "create bridge " + std::string(name));
}

Checked<void> Netlink::set_master(std::string_view name, std::string_view master) {
  auto idx = index_of(name);
  if (!idx) return Unexpected{idx.error()};
  auto midx = index_of(master);
  if (!midx) return Unexpected{midx.error()};
  Request req(RTM_NEWLINK, 0);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_index = *idx;
  mnl_attr_put_u32(req.nlh, IFLA_MASTER, static_cast<std::uint32_t>(*midx));
  return transact(req.nlh, "attach " + std::string(name) + " to " + std::string(master));
}

Checked<bool> Netlink::bridge_port_forwarding(std::string_view name) {
  auto idx = index_of(name);
  if (!idx) return Unexpected{idx.error()};
  Request req(RTM_GETLINK, NLM_F_DUMP);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_BRIDGE;
  bool forwarding = false;
  auto rc =
      transact(req.nlh, "bridge port state of " + std::string(name), [&](const nlmsghdr* nlh) {
        auto* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
        if (nlh->nlmsg_type != RTM_NEWLINK || info->ifi_index != *idx) return;
        for_each_attr(nlh, sizeof(*info), [&](const nlattr* attr) {
          if (mnl_attr_get_type(attr) != IFLA_PROTINFO) return;
          const auto* inner = static_cast<const nlattr*>(mnl_attr_get_payload(attr));
          int left = static_cast<int>(mnl_attr_get_payload_len(attr));
          while (mnl_attr_ok(inner, left)) {
            if (mnl_attr_get_type(inner) == IFLA_BRPORT_STATE) {
              forwarding = mnl_attr_get_u8(inner) == 3;  // BR_STATE_FORWARDING
            }
            left -= static_cast<int>(MNL_ALIGN(inner->nla_len));
            inner = static_cast<const nlattr*>(mnl_attr_next(inner));
          }
        });
      });
  if (!rc) return Unexpected{rc.error()};
  return forwarding;
}

Checked<void> Netlink::set_up(std::string_view name, bool up) {
  auto idx = index_of(name);
  if (!idx) return Unexpected{idx.error()};
  Request req(RTM_NEWLINK, 0);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_index = *idx;
  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = up ? IFF_UP : 0;
  return transact(req.nlh, std::string(up ? "set up " : "set down ") + std::string(name));
}

Checked<void> Netlink::set_mtu(std::string_view name, unsigned mtu) {
  auto idx = index_of(name);
  if (!idx) return Unexpected{idx.error()};
  Request req(RTM_NEWLINK, 0);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_index = *idx;
  mnl_attr_put_u32(req.nlh, IFLA_MTU, mtu);
  return transact(req.nlh, "set mtu " + std::to_string(mtu) + " on " + std::string(name));
}

Checked<void> Netlink::delete_link(std::string_view name) {
  auto idx = index_of(name);
  if (!idx) return Unexpected{idx.error()};
  Request req(RTM_DELLINK, 0);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifinfomsg)));
  ifm->ifi_index = *idx;
  return transact(req.nlh, "delete link " + std::string(name));
}

// RTM_NEWADDR / RTM_DELADDR for address/len on the device.
Checked<void> Netlink::change_address(std::uint16_t type, std::uint16_t flags,
                                      std::string_view device, Ipv4Address address,
                                      std::uint8_t length, std::string_view what) {
  auto idx = index_of(device);
  if (!idx) return Unexpected{idx.error()};
  Request req(type, flags);
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = length;
  ifa->ifa_index = static_cast<unsigned>(*idx);
  mnl_attr_put_u32(req.nlh, IFA_LOCAL, be32(address));
  mnl_attr_put_u32(req.nlh, IFA_ADDRESS, be32(address));
  return transact(req.nlh, std::string(what) + " address " + address.to_string() + "/" +
                               std::to_string(length) + " on " + std::string(device));
}

Checked<void> Netlink::add_address(std::string_view device, Ipv4Address address,
                                   std::uint8_t length) {
  auto rc = change_address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, device, address, length, "add");
  if (!rc && rc.error().code == std::errc::file_exists) return {};
  return rc;
}

Checked<void> Netlink::delete_address(std::string_view device, Ipv4Address address,
                                      std::uint8_t length) {
  auto rc = change_address(RTM_DELADDR, 0, device, address, length, "delete");
  if (!rc && rc.error().code == std::errc::address_not_available) return {};  // not there
  return rc;
}

Checked<std::vector<AddressInfo>> Netlink::addresses() {
  auto all = links();
  if (!all) return Unexpected{all.error()};
  Request req(RTM_GETADDR, NLM_F_DUMP);
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(req.nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  std::vector<AddressInfo> out;
  auto rc = transact(req.nlh, "list addresses", [&](const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWADDR) return;
    auto* msg = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    AddressInfo a;
    a.prefix_length = msg->ifa_prefixlen;
    a.secondary = (msg->ifa_flags & IFA_F_SECONDARY) != 0;
    for (const auto& l : *all) {
      if (l.index == static_cast<int>(msg->ifa_index)) a.device = l.name;
    }
    for_each_attr(nlh, sizeof(*msg), [&](const nlattr* attr) {
      if (mnl_attr_get_type(attr) == IFA_LOCAL) {
        a.address = Ipv4Address{ntohl(mnl_attr_get_u32(attr))};
      }
    });
    out.push_back(a);
  });
  if (!rc) return Unexpected{rc.error()};
  return out;
}

}  // namespace vpnlab::dataplane
