#include "topology/host_plan.hpp"

#include <algorithm>
#include <set>

#include "base/errors.hpp"

namespace vpnlab::topology {
namespace {

auto bad(const std::string& message) {
  return fail(make_error_code(errc::invalid_value), message);
}

bool names(const TunnelPlan& t, const std::string& s) {
  return t.name == s || t.device == s;
}

std::string list(const std::vector<Ipv4Address>& as) {
  std::string s;
  for (auto a : as) s += (s.empty() ? "" : ", ") + a.to_string();
  return s;
}

std::vector<Ipv4Address> distinct_locals(const std::vector<TunnelPlan>& tunnels) {
  std::vector<Ipv4Address> out;
  for (const auto& t : tunnels) {
    if (std::find(out.begin(), out.end(), t.local_outside) == out.end())
      out.push_back(t.local_outside);
  }
  return out;
}

Checked<void> select_tunnels(GatewayPlan& g, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return {};
  for (const auto& w : wanted) {
    if (std::none_of(g.tunnels.begin(), g.tunnels.end(), [&](auto& t) { return names(t, w); })) {
      std::string all;
      for (const auto& t : g.tunnels) all += " " + t.name + " (" + t.device + ")";
      return bad("--tunnel: " + g.node + " has no tunnel '" + w + "'; it has:" + all);
    }
  }
  std::erase_if(g.tunnels, [&](const TunnelPlan& t) {
    return std::none_of(wanted.begin(), wanted.end(), [&](auto& w) { return names(t, w); });
  });
  std::erase_if(g.bgp_neighbors, [&](const BgpNeighborPlan& n) {
    return std::none_of(g.tunnels.begin(), g.tunnels.end(),
                        [&](auto& t) { return t.device == n.device; });
  });
  return {};
}

// The node's public addresses (one per AWS tunnel, one per Azure instance) become the
// host's: one address for all, or one each in the plan's order.
Checked<void> replace_locals(GatewayPlan& g, const std::vector<Ipv4Prefix>& addresses) {
  auto old = distinct_locals(g.tunnels);
  if (addresses.size() != 1 && addresses.size() != old.size()) {
    return bad("--address: the selected tunnels of " + g.node + " use " +
               std::to_string(old.size()) + " public addresses (" + list(old) +
               "); give one --address for all or " + std::to_string(old.size()) +
               ", or select tunnels with --tunnel");
  }
  for (auto& t : g.tunnels) {
    auto i = std::find(old.begin(), old.end(), t.local_outside) - old.begin();
    t.local_outside = addresses.size() == 1 ? addresses[0].address : addresses[i].address;
  }
  g.public_addresses = distinct_locals(g.tunnels);
  return {};
}

Checked<void> replace_peers(GatewayPlan& g, const HostPlanOptions& o) {
  for (const auto& entry : o.peer_by_tunnel) {  // (clang 14 lambdas cannot capture bindings)
    const std::string& key = entry.first;
    if (std::none_of(g.tunnels.begin(), g.tunnels.end(), [&](auto& t) { return names(t, key); }))
      return bad("--peer-address " + key + "=" + entry.second.to_string() +
                 ": no selected tunnel '" + key + "' on " + g.node);
  }
  for (auto& t : g.tunnels) {
    std::optional<Ipv4Address> peer = o.peer_all;
    if (auto it = o.peer_by_tunnel.find(t.name); it != o.peer_by_tunnel.end()) peer = it->second;
    if (auto it = o.peer_by_tunnel.find(t.device); it != o.peer_by_tunnel.end()) peer = it->second;
    if (peer) t.remote_outside = *peer;
  }
  return {};
}

bool redacted(const SecretBytes& psk) {
  auto b = psk.expose();
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size()) == kRedactedPsk;
}

bool on_link(const HostUnderlay& u, Ipv4Address a) {
  return std::any_of(u.addresses.begin(), u.addresses.end(),
                     [&](const Ipv4Prefix& p) { return p.length < 32 && p.contains(a); });
}

Checked<void> check_underlay(const HostUnderlay& u) {
  // IFNAMSIZ: 16 bytes with the terminating NUL.
  if (u.interface.empty() || u.interface.size() > 15 ||
      u.interface.find_first_of("/ \t") != std::string::npos) {
    return bad("underlay.host: '" + u.interface + "' is not an interface name (1-15 characters)");
  }
  std::set<std::uint32_t> seen;
  for (const auto& a : u.addresses) {
    bool edge = a.length < 31 && (a.address == a.network() || a.address == a.last());
    if (a.length == 0 || edge) {
      return bad("underlay.address: " + a.to_string() +
                 " is a network or broadcast address, not a host address with its length");
    }
    if (!seen.insert(a.address.value).second)
      return bad("underlay.address: " + a.address.to_string() + " is listed twice");
  }
  if (u.gateway && !on_link(u, *u.gateway)) {
    return bad("underlay.gateway: " + u.gateway->to_string() +
               " is not in the subnet of any underlay.address");
  }
  if (u.gateway && seen.count(u.gateway->value)) {
    return bad("underlay.gateway: " + u.gateway->to_string() + " is one of our own addresses");
  }
  return {};
}

}  // namespace

Checked<void> check_host_plan(const GatewayPlan& g) {
  if (!g.underlay) return bad("plan: no underlay section (a lab plan runs inside its namespace)");
  const HostUnderlay& u = *g.underlay;
  if (auto rc = check_underlay(u); !rc) return rc;
  if (g.implementation != "vpnlab") {
    return bad("implementation: " + g.implementation +
               "; a host plan runs vpnlab's gateway (implementation: vpnlab)");
  }
  auto ours = [&](Ipv4Address a) {
    return std::any_of(u.addresses.begin(), u.addresses.end(),
                       [&](const Ipv4Prefix& p) { return p.address == a; });
  };
  if (g.tunnels.empty()) return bad("tunnels: the plan has no tunnel");
  for (std::size_t i = 0; i < g.tunnels.size(); ++i) {
    const TunnelPlan& t = g.tunnels[i];
    std::string at = "tunnels[" + std::to_string(i) + "] (" + t.name + ")";
    if (!ours(t.local_outside)) {
      return bad(at + ".local_outside: " + t.local_outside.to_string() +
                 " is none of the underlay addresses");
    }
    if (ours(t.remote_outside)) {
      return bad(at + ".remote_outside: " + t.remote_outside.to_string() +
                 " is our own address; it must be the peer device's");
    }
    if (!u.gateway && !on_link(u, t.remote_outside)) {
      return bad("underlay.gateway: missing, and " + at + "'s peer " +
                 t.remote_outside.to_string() + " is not on " + u.interface +
                 "'s subnet; give the router that reaches it");
    }
    if (t.psk.size() == 0 || redacted(t.psk)) {
      return bad(at + ".psk: redacted or empty (print the plan with --show-secrets)");
    }
    for (std::size_t j = 0; j < i; ++j) {
      const TunnelPlan& o = g.tunnels[j];
      if (o.local_outside == t.local_outside && o.remote_outside == t.remote_outside) {
        return bad(at + ": runs between " + t.local_outside.to_string() + " and " +
                   t.remote_outside.to_string() + " like tunnels[" + std::to_string(j) + "] (" +
                   o.name +
                   "); IKE cannot tell them apart: give each its own local or peer address "
                   "(topology plan: --address per tunnel, --peer-address TUNNEL=A.B.C.D, or "
                   "--tunnel)");
      }
    }
  }
  return {};
}

Checked<GatewayPlan> host_plan(GatewayPlan g, const HostPlanOptions& o) {
  if (o.addresses.empty()) return bad("--address: required with --host-interface (A.B.C.D/N)");
  if (auto rc = select_tunnels(g, o.tunnels); !rc) return Unexpected{rc.error()};
  if (auto rc = replace_locals(g, o.addresses); !rc) return Unexpected{rc.error()};
  if (auto rc = replace_peers(g, o); !rc) return Unexpected{rc.error()};
  g.netns.clear();
  // On a host the node is vpnlab's emulation, whatever runs it in the lab (lab.nodes).
  g.implementation = "vpnlab";
  g.command.clear();
  g.underlay = HostUnderlay{o.interface, o.addresses, o.gateway};
  if (auto rc = check_host_plan(g); !rc) return Unexpected{rc.error()};
  return g;
}

}  // namespace vpnlab::topology
