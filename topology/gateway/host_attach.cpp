#include "topology/gateway/host_attach.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "base/errors.hpp"
#include "base/log.hpp"

namespace vpnlab::topology {
namespace {

auto bad(const std::string& message) {
  return fail(make_error_code(errc::invalid_value), message);
}

std::string hop_text(const dataplane::RouteInfo& r) {
  std::string s;
  for (const auto& h : r.hops) {
    if (h.gateway) s += " via " + h.gateway->to_string();
    if (!h.device.empty()) s += " dev " + h.device;
  }
  return s;
}

}  // namespace

Checked<std::unique_ptr<HostAttachment>> HostAttachment::attach(const GatewayPlan& plan) {
  const HostUnderlay& u = *plan.underlay;
  auto nl = dataplane::Netlink::open();
  if (!nl) return Unexpected{nl.error()};
  std::unique_ptr<HostAttachment> h(new HostAttachment(std::move(*nl), u.interface));
  if (auto rc = h->check_interface(); !rc) return Unexpected{rc.error()};
  // A TUN of that name would be joined, not created (multi-queue TUNSETIFF): another
  // gateway's tunnel (an Azure instance and the AWS VGW name theirs alike, aws0t1...).
  for (std::size_t i = 0; i < plan.tunnels.size(); ++i) {
    const std::string& dev = plan.tunnels[i].device;
    if (h->nl_.link(dev)) {
      return bad("tunnels[" + std::to_string(i) + "].device: an interface named " + dev +
                 " exists already here (another gateway's tunnel?)");
    }
  }
  auto addresses = h->nl_.addresses();
  if (!addresses) return Unexpected{addresses.error()};
  for (const auto& a : u.addresses) {
    if (auto rc = h->add_address(a, *addresses); !rc) return Unexpected{rc.error()};
  }
  auto routes = h->nl_.routes();
  if (!routes) return Unexpected{routes.error()};
  std::set<std::uint32_t> peers;
  for (const auto& t : plan.tunnels) {
    bool on_link = std::any_of(u.addresses.begin(), u.addresses.end(), [&](const Ipv4Prefix& p) {
      return p.length < 32 && p.contains(t.remote_outside);
    });
    if (!peers.insert(t.remote_outside.value).second) continue;
    // check_host_plan: a peer off the subnet has a gateway.
    dataplane::NextHop hop{u.interface, on_link ? std::nullopt : u.gateway};
    if (auto rc = h->add_peer_route(t.remote_outside, hop, *routes); !rc) {
      return Unexpected{rc.error()};
    }
  }
  return h;
}

Checked<void> HostAttachment::check_interface() {
  auto link = nl_.link(interface_);
  if (!link) {
    std::string names;
    if (auto all = nl_.links()) {
      for (const auto& l : *all) names += " " + l.name;
    }
    return bad("underlay.host: no interface '" + interface_ +
               "' in this network namespace (it has:" + names + ")");
  }
  if (!link->up) {
    return bad("underlay.host: " + interface_ + " is down (ip link set " + interface_ + " up)");
  }
  if (!link->running) {
    VPNLAB_LOG(warn, "host", "%s has no carrier yet; the peers are unreachable until it has",
               interface_.c_str());
  }
  return {};
}

Checked<void> HostAttachment::add_address(const Ipv4Prefix& a,
                                          const std::vector<dataplane::AddressInfo>& all) {
  for (const auto& have : all) {
    if (have.address != a.address) continue;
    if (have.device != interface_) {
      return bad("underlay.address: " + a.address.to_string() + " is already on " + have.device +
                 ", not on " + interface_ + " (in use by another interface or lab)");
    }
    if (have.prefix_length != a.length) {
      return bad("underlay.address: " + a.address.to_string() + " is on " + interface_ + " as /" +
                 std::to_string(have.prefix_length) + ", not /" + std::to_string(a.length));
    }
    report_.push_back("kept " + a.to_string() + " on " + interface_ + " (it was there)");
    return {};
  }
  if (auto rc = nl_.add_address(interface_, a.address, a.length); !rc) {
    return fail(rc.error().code, "underlay.address: " + rc.error().message);
  }
  added_addresses_.push_back(a);
  report_.push_back("added " + a.to_string() + " on " + interface_);
  return {};
}

// A /32 per peer (through the gateway, or on the link), not a default route: the host's
// own routing stays as it was, and no route BGP learns over a tunnel can pull the peer's
// outside address into that tunnel (the gateway rejects an equal /32, gateway.cpp).
Checked<void> HostAttachment::add_peer_route(Ipv4Address peer, const dataplane::NextHop& hop,
                                             const std::vector<dataplane::RouteInfo>& all) {
  Ipv4Prefix host{peer, 32};
  std::string to =
      (hop.gateway ? " via " + hop.gateway->to_string() : std::string()) + " dev " + interface_;
  for (const auto& r : all) {
    if (r.prefix != host) continue;
    if (r.hops.size() == 1 && r.hops[0] == hop) {
      report_.push_back("kept route " + host.to_string() + hop_text(r) + " (it was there)");
      return {};
    }
    return bad(std::string(hop.gateway ? "underlay.gateway" : "underlay.host") + ": a route " +
               host.to_string() + hop_text(r) + " exists already; not replacing it with" + to);
  }
  if (auto rc = nl_.replace_route(host, {hop}); !rc) {
    return fail(rc.error().code, "route to the peer: " + rc.error().message);
  }
  added_routes_.push_back(host);
  report_.push_back("added route " + host.to_string() + to);
  return {};
}

// Linux removes a primary address's secondaries (same subnet, added later, perhaps by
// someone else) with it unless promote_secondaries is set: then ours stays, with a warning.
std::optional<std::string> HostAttachment::would_take_along(const Ipv4Prefix& a) {
  auto all = nl_.addresses();
  if (!all) return std::nullopt;
  bool primary = false;
  std::string others;
  for (const auto& x : *all) {
    if (x.device != interface_) continue;
    if (x.address == a.address) {
      primary = !x.secondary;
    } else if (x.prefix_length == a.length && a.contains(x.address)) {
      others += " " + x.address.to_string();
    }
  }
  std::ifstream promote("/proc/sys/net/ipv4/conf/" + interface_ + "/promote_secondaries");
  int promoted = 0;
  promote >> promoted;
  if (!primary || others.empty() || promoted == 1) return std::nullopt;
  return others;
}

HostAttachment::~HostAttachment() {
  for (const auto& r : added_routes_) {
    if (auto rc = nl_.delete_route(r); !rc) {
      VPNLAB_LOG(warn, "host", "%s", rc.error().message.c_str());
    }
  }
  // Newest first: our own later addresses of a subnet are its secondaries.
  for (auto a = added_addresses_.rbegin(); a != added_addresses_.rend(); ++a) {
    if (auto others = would_take_along(*a)) {
      VPNLAB_LOG(warn, "host",
                 "leaving %s on %s: removing it would remove%s too (its subnet's secondaries; "
                 "sysctl net.ipv4.conf.%s.promote_secondaries=1 avoids that)",
                 a->to_string().c_str(), interface_.c_str(), others->c_str(), interface_.c_str());
    } else if (auto rc = nl_.delete_address(interface_, a->address, a->length); !rc) {
      VPNLAB_LOG(warn, "host", "%s", rc.error().message.c_str());
    } else {
      VPNLAB_LOG(info, "host", "removed %s from %s", a->to_string().c_str(), interface_.c_str());
    }
  }
}

// /proc/net/udp: "sl local_address rem_address st ... inode", addresses as host-order hex of
// the network-order value (little-endian here), e.g. 0A0200C0:01F4 for 192.0.2.10:500.
std::optional<std::string> udp_port_owner(Ipv4Address address, std::uint16_t port) {
  std::ifstream in("/proc/net/udp");
  std::string line;
  std::getline(in, line);
  std::set<std::string> inodes;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer, retr, uid, timeout, inode;
    f >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode;
    if (inode == "0") continue;
    unsigned a = 0, p = 0;
    if (std::sscanf(local.c_str(), "%X:%X", &a, &p) != 2 || p != port) continue;
    Ipv4Address bound{__builtin_bswap32(a)};
    if (bound == address) inodes.insert("socket:[" + inode + "]");
  }
  if (inodes.empty()) return std::nullopt;
  DIR* proc = ::opendir("/proc");
  if (!proc) return std::nullopt;
  std::optional<std::string> owner;
  while (dirent* e = ::readdir(proc)) {
    if (owner || !std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::string fds = std::string("/proc/") + e->d_name + "/fd";
    DIR* d = ::opendir(fds.c_str());
    if (!d) continue;
    while (dirent* fd = ::readdir(d)) {
      char target[64] = {};
      auto n = ::readlink((fds + "/" + fd->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0 || !inodes.count(target)) continue;
      std::ifstream comm(std::string("/proc/") + e->d_name + "/comm");
      std::string name;
      std::getline(comm, name);
      owner = "pid " + std::string(e->d_name) + " (" + name + ")";
      break;
    }
    ::closedir(d);
  }
  ::closedir(proc);
  return owner;
}

}  // namespace vpnlab::topology
