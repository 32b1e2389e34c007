#include "topology/resolve.hpp"

#include <set>

namespace vpnlab::topology {
namespace {

std::optional<TunnelRef> parse_tunnel_ref(const Lab& lab, const std::string& text) {
  auto dot = text.rfind(".tunnel");
  if (dot == std::string::npos) return std::nullopt;
  auto conn = find_named(lab.aws.vpn_connections, text.substr(0, dot));
  std::string n = text.substr(dot + 7);
  if (!conn || (n != "1" && n != "2")) return std::nullopt;
  TunnelRef t{*conn, static_cast<std::size_t>(n[0] - '1')};
  if (t.tunnel >= lab.aws.vpn_connections[*conn].tunnels.size()) return std::nullopt;
  return t;
}

}  // namespace

Resolved resolve(const Lab& lab) {
  Resolved r;
  // Lab-assigned addresses are deterministic: .10, .11, ... in file order, skipping any
  // address the file gives explicitly.
  std::set<std::string> taken;
  for (const auto& pip : lab.azure.public_ips) taken.insert(pip.ip_address);
  for (const auto& vpn : lab.aws.vpn_connections) {
    for (const auto& t : vpn.tunnels) taken.insert(t.outside_ip_address);
  }
  auto next_free = [&](std::uint32_t& next) {
    while (taken.count(Ipv4Address{next}.to_string())) ++next;
    return Ipv4Address{next++};
  };
  std::uint32_t next_azure = kAzurePublicRange.network().value + 10;
  for (const auto& pip : lab.azure.public_ips) {
    if (pip.ip_address.empty()) {
      r.azure_public_ip.push_back(next_free(next_azure));
    } else {
      r.azure_public_ip.push_back(Ipv4Address::parse(pip.ip_address));
    }
  }
  std::uint32_t next_aws = kAwsPublicRange.network().value + 10;
  for (const auto& vpn : lab.aws.vpn_connections) {
    auto& row = r.aws_outside.emplace_back();
    for (const auto& t : vpn.tunnels) {
      if (t.outside_ip_address.empty()) {
        row.push_back(next_free(next_aws));
      } else {
        row.push_back(Ipv4Address::parse(t.outside_ip_address));
      }
    }
  }
  for (const auto& lng : lab.azure.local_network_gateways) {
    std::optional<TunnelRef> ref = parse_tunnel_ref(lab, lng.gateway_ip_address);
    if (auto ip = Ipv4Address::parse(lng.gateway_ip_address)) {
      // A literal address names the tunnel whose outside IP it is.
      for (std::size_t c = 0; c < r.aws_outside.size(); ++c) {
        for (std::size_t t = 0; t < r.aws_outside[c].size(); ++t) {
          if (r.aws_outside[c][t] == ip) ref = TunnelRef{c, t};
        }
      }
    }
    r.lng_tunnel.push_back(ref);
  }
  const auto& gw_ips = lab.azure.gateway.public_ips;
  for (const auto& cgw : lab.aws.customer_gateways) {
    std::optional<int> instance;
    auto literal = Ipv4Address::parse(cgw.ip_address);
    for (std::size_t i = 0; i < gw_ips.size(); ++i) {
      auto pip = find_named(lab.azure.public_ips, gw_ips[i]);
      if (!pip) continue;
      if (gw_ips[i] == cgw.ip_address || (literal && r.azure_public_ip[*pip] == literal)) {
        instance = static_cast<int>(i);
      }
    }
    r.cgw_instance.push_back(instance);
  }
  for (const auto& conn : lab.azure.connections) {
    r.connection_lng.push_back(
        find_named(lab.azure.local_network_gateways, conn.local_network_gateway));
  }
  return r;
}

std::optional<int> tunnel_instance(const Lab& lab, const Resolved& r, TunnelRef t) {
  auto cgw =
      find_named(lab.aws.customer_gateways, lab.aws.vpn_connections[t.connection].customer_gateway);
  if (!cgw) return std::nullopt;
  return r.cgw_instance[*cgw];
}

std::string tunnel_label(const Lab& lab, TunnelRef t) {
  return lab.aws.vpn_connections[t.connection].name + ".tunnel" + std::to_string(t.tunnel + 1);
}

}  // namespace vpnlab::topology
