#include "topology/underlay.hpp"

#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::topology {
namespace {

using dataplane::Netlink;

Checked<void> add_addresses(Netlink& nl, const std::string& device,
                            const std::vector<std::string>& addresses) {
  for (const auto& text : addresses) {
    auto p = Ipv4Prefix::parse(text, false);
    if (!p) return fail(std::make_error_code(std::errc::invalid_argument), "bad address " + text);
    if (auto rc = nl.add_address(device, p->address, p->length); !rc) return rc;
  }
  return {};
}

struct Sockets {
  std::map<std::string, Netlink> by_ns;
  Checked<Netlink*> get(const std::string& ns) {
    auto it = by_ns.find(ns);
    if (it != by_ns.end()) return &it->second;
    auto nl = Netlink::open_in(ns);
    if (!nl) return Unexpected{nl.error()};
    return &by_ns.emplace(ns, std::move(*nl)).first->second;
  }
};

Checked<void> configure_end(Sockets& s, const LinkEnd& end) {
  auto nl = s.get(end.netns);
  if (!nl) return Unexpected{nl.error()};
  if (!end.bridge.empty()) {
    if (auto rc = (*nl)->set_master(end.device, end.bridge); !rc) return rc;
  }
  if (auto rc = add_addresses(**nl, end.device, end.addresses); !rc) return rc;
  return (*nl)->set_up(end.device);
}

Checked<void> build_link(Sockets& s, const LinkPlan& link) {
  auto nl = s.get(link.a.netns);
  if (!nl) return Unexpected{nl.error()};
  if (!(*nl)->link(link.a.device)) {
    auto peer_fd = dataplane::open_netns_fd(link.b.netns);
    if (!peer_fd) return Unexpected{peer_fd.error()};
    auto rc = (*nl)->add_veth(link.a.device, link.b.device, *peer_fd);
    ::close(*peer_fd);
    if (!rc) {
      return fail(rc.error().code,
                  link.a.netns + ": " + rc.error().message + " (to " + link.b.netns + ")");
    }
  }
  if (auto rc = configure_end(s, link.a); !rc) return rc;
  return configure_end(s, link.b);
}

// ECMP by the ports (policy 3, custom fields): flows between one VM and one host spread over
// the Azure instances and their tunnels (cloud-facts §2.2 "Azure->on-prem traffic uses both
// tunnels" [Z-AA]), so `vpnlab verify` can exercise each path; the kernel default (policy 0)
// hashes addresses only, one path per host pair. The fabric hashes addresses and ports, the
// gateways ports only: routers hashing alike pick the same index at every hop (ECMP
// polarisation: the instance the fabric chose by the lower half would always take its first
// tunnel).
// Best effort: a kernel before 5.12 has no policy 3; it keeps hashing the 5-tuple (policy
// 1), and verify says so when a path carries no flow.
void ecmp_hashing(const NodePlan& n) {
  const char* fields = n.role == "vnet" ? "0x0037" : "0x0030";  // 0x10 src port, 0x20 dst port
  if (dataplane::netns_sysctl(n.netns, "net/ipv4/fib_multipath_hash_policy", "3") &&
      dataplane::netns_sysctl(n.netns, "net/ipv4/fib_multipath_hash_fields", fields))
    return;
  (void)dataplane::netns_sysctl(n.netns, "net/ipv4/fib_multipath_hash_policy", "1");
}

Checked<void> build(const UnderlayPlan& plan, Sockets& s) {
  for (const auto& n : plan.nodes) {
    auto nl = s.get(n.netns);
    if (!nl) return Unexpected{nl.error()};
    if (auto rc = (*nl)->set_up("lo"); !rc) return rc;
    if (n.forwarding) {
      if (auto rc = dataplane::netns_sysctl(n.netns, "net/ipv4/ip_forward", "1"); !rc) return rc;
      ecmp_hashing(n);
    }
  }
  for (const auto& b : plan.bridges) {
    auto nl = s.get(b.netns);
    if (!nl) return Unexpected{nl.error()};
    if (!(*nl)->link(b.device)) {
      if (auto rc = (*nl)->add_bridge(b.device); !rc) return rc;
    }
    if (auto rc = add_addresses(**nl, b.device, b.addresses); !rc) return rc;
    if (auto rc = (*nl)->set_up(b.device); !rc) return rc;
  }
  for (const auto& l : plan.links) {
    if (auto rc = build_link(s, l); !rc) return rc;
  }
  for (const auto& r : plan.routes) {
    auto nl = s.get(r.netns);
    if (!nl) return Unexpected{nl.error()};
    // Underlay routes are the lab's static config, so they carry the "static" protocol.
    auto rc = (*nl)->replace_route(r.prefix, {{"", r.via}}, 4 /* RTPROT_STATIC */);
    if (!rc) return fail(rc.error().code, r.netns + ": " + rc.error().message);
  }
  return {};
}

// A new veth carries packets only once the kernel's link watcher has marked it running
// (it batches such events, up to a second); probing before that loses the first packets.
Checked<void> wait_running(const UnderlayPlan& plan, Sockets& s) {
  std::vector<std::pair<std::string, std::string>> devices, ports;
  for (const auto& l : plan.links) {
    devices.emplace_back(l.a.netns, l.a.device);
    devices.emplace_back(l.b.netns, l.b.device);
    if (!l.b.bridge.empty()) ports.emplace_back(l.b.netns, l.b.device);
  }
  for (const auto& b : plan.bridges) devices.emplace_back(b.netns, b.device);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (const auto& [ns, dev] : devices) {
    auto nl = s.get(ns);
    if (!nl) return Unexpected{nl.error()};
    for (;;) {
      auto link = (*nl)->link(dev);
      if (link && link->running) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return fail(std::make_error_code(std::errc::timed_out),
                    ns + ": device " + dev + " did not become operationally up within 3 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // A bridge port that is not yet forwarding drops the first ARP request, and the kernel
  // retries ARP only after a second.
  for (const auto& [ns, dev] : ports) {
    auto nl = s.get(ns);
    if (!nl) return Unexpected{nl.error()};
    for (;;) {
      auto fwd = (*nl)->bridge_port_forwarding(dev);
      if (fwd && *fwd) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return fail(std::make_error_code(std::errc::timed_out),
                    ns + ": bridge port " + dev + " did not start forwarding within 3 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return {};
}

}  // namespace

bool underlay_present(const UnderlayPlan& plan) {
  for (const auto& n : plan.nodes) {
    if (!dataplane::netns_exists(n.netns)) return false;
  }
  return true;
}

Checked<UnderlayReport> underlay_up(const UnderlayPlan& plan) {
  UnderlayReport report;
  for (const auto& n : plan.nodes) {
    if (dataplane::netns_exists(n.netns)) {
      report.found.push_back(n.netns);
      continue;
    }
    if (auto rc = dataplane::create_netns(n.netns); !rc) return Unexpected{rc.error()};
    report.created.push_back(n.netns);
  }
  Sockets sockets;
  if (auto rc = build(plan, sockets); !rc) return Unexpected{rc.error()};
  if (auto rc = wait_running(plan, sockets); !rc) return Unexpected{rc.error()};
  return report;
}

Checked<UnderlayReport> underlay_down(const UnderlayPlan& plan) {
  UnderlayReport report;
  // Deleting a namespace deletes its veth ends, and with them the peers in other namespaces.
  for (auto it = plan.nodes.rbegin(); it != plan.nodes.rend(); ++it) {
    if (!dataplane::netns_exists(it->netns)) continue;
    if (auto rc = dataplane::delete_netns(it->netns); !rc) return Unexpected{rc.error()};
    report.removed.push_back(it->netns);
  }
  return report;
}

}  // namespace vpnlab::topology
