// Azure's documented rules for a route-based virtual network gateway, local network gateways
// and site-to-site connections (shared/cloud-facts.md §2, §4.1).
#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {
namespace {

// cloud-facts: "Custom APIPA range": only 169.254.21.0 - 169.254.22.255 [Z-AWS, Z-AWS-OLD]
bool in_azure_apipa(Ipv4Address a) {
  return a >= *Ipv4Address::parse("169.254.21.0") && a <= *Ipv4Address::parse("169.254.22.255");
}

// cloud-facts: "Azure-reserved ASNs" and "IANA-reserved ASNs refused" [Z-FAQ-BGP]
std::optional<std::string> reserved_asn(std::int64_t asn) {
  if (one_of<std::int64_t>(asn, {8074, 8075, 12076})) return "reserved by Azure (public)";
  if (one_of<std::int64_t>(asn, {65515, 65517, 65518, 65519, 65520})) {
    return "reserved by Azure (65515, 65517-65520)";
  }
  if (asn == 23456) return "AS_TRANS (RFC 6793), reserved by IANA";
  if (asn >= 64496 && asn <= 64511) return "reserved by IANA for documentation (64496-64511)";
  if (asn >= 65535 && asn <= 65551) return "reserved by IANA (65535-65551)";
  if (asn == 4294967295LL) return "reserved by IANA (4294967295)";
  return std::nullopt;
}

void check_shared_key(const Lab& lab, Diagnostics& d, const std::string& path,
                      const SecretBytes& key) {
  // cloud-facts: "Authentication": printable ASCII except space, '-', '~' [Z-FAQ]
  auto s = key.expose();
  if (s.empty()) return d.error(lab, path, "missing; a site-to-site connection needs a shared key");
  if (s.size() > 128) d.error(lab, path, "longer than 128 characters");
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '-' || s[i] == '~') {
      d.error(lab, path,
              "character " + std::to_string(i + 1) +
                  " is not allowed; Azure accepts printable ASCII except space, '-' and '~'");
      break;
    }
  }
}

void check_gateway(const Lab& lab, Diagnostics& d) {
  const auto& gw = lab.azure.gateway;
  const std::string p = "azure.virtual_network_gateway";
  if (gw.gateway_type != "Vpn") d.error(lab, p + ".gateway_type", "must be Vpn");
  if (gw.vpn_type != "RouteBased") {
    d.error(lab, p + ".vpn_type",
            "must be RouteBased (BGP and active/active need a route-based gateway)");
  }
  // cloud-facts §2.1 SKUs: BGP on every SKU but Basic [Z-SKU, Z-FAQ-BGP]
  if (!one_of<std::string>(gw.sku, {"Basic", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5",
                                    "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"})) {
    d.error(lab, p + ".sku",
            "'" + gw.sku + "' is not a VPN gateway SKU (VpnGw1-5, VpnGw1AZ-5AZ, Basic)");
  } else if (gw.sku == "Basic" && (gw.bgp.enabled || gw.active_active)) {
    d.error(lab, p + ".sku", "Basic supports neither BGP nor active/active; use VpnGw1 or larger");
  }
  if (gw.virtual_network != lab.azure.virtual_network.name) {
    d.error(lab, p + ".virtual_network",
            "'" + gw.virtual_network + "' is not the lab's virtual network ('" +
                lab.azure.virtual_network.name + "')");
  }
  // cloud-facts §2.2: active/active needs two public IPs [Z-AA]
  std::size_t want = gw.active_active ? 2 : 1;
  if (gw.public_ips.size() != want) {
    d.error(lab, p + ".public_ips",
            std::string(gw.active_active ? "active/active" : "active/standby") + " needs exactly " +
                std::to_string(want) + " public IP(s)");
  }
  for (std::size_t i = 0; i < gw.public_ips.size(); ++i) {
    if (!find_named(lab.azure.public_ips, gw.public_ips[i])) {
      d.error(lab, idx(p + ".public_ips", i),
              "'" + gw.public_ips[i] + "' names no entry of azure.public_ips");
    }
  }
  if (auto why = reserved_asn(gw.bgp.asn); why && gw.bgp.asn != 65515) {
    d.error(lab, p + ".bgp.asn", std::to_string(gw.bgp.asn) + " is " + *why);
  }
  if (gw.bgp.asn < 1 || gw.bgp.asn > 4294967295LL)
    d.error(lab, p + ".bgp.asn", "must be 1-4294967295");
  const std::vector<std::string>* lists[] = {&gw.bgp.custom_apipa_instance0,
                                             &gw.bgp.custom_apipa_instance1};
  for (int inst = 0; inst < 2; ++inst) {
    const auto& list = *lists[inst];
    std::string lp = p + ".bgp.custom_apipa_addresses.instance" + std::to_string(inst);
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto a = address_field(lab, d, idx(lp, i), list[i]);
      if (a && !in_azure_apipa(*a)) {
        d.error(lab, idx(lp, i),
                list[i] +
                    " is outside Azure's APIPA range for VPN, "
                    "169.254.21.0 - 169.254.22.255");
      }
    }
  }
}

void check_connection(const Lab& lab, const Resolved& r, Diagnostics& d, std::size_t i) {
  const auto& c = lab.azure.connections[i];
  std::string p = idx("azure.connections", i);
  if (c.virtual_network_gateway != lab.azure.gateway.name) {
    d.error(lab, p + ".virtual_network_gateway",
            "'" + c.virtual_network_gateway + "' is not the lab's gateway ('" +
                lab.azure.gateway.name + "')");
  }
  if (!r.connection_lng[i]) {
    d.error(lab, p + ".local_network_gateway",
            "'" + c.local_network_gateway + "' names no entry of azure.local_network_gateways");
  }
  if (c.connection_type != "IPsec")
    d.error(lab, p + ".connection_type", "only IPsec (site-to-site) is emulated");
  if (!one_of<std::string>(c.connection_protocol, {"IKEv2", "IKEv1"})) {
    d.error(lab, p + ".connection_protocol", "must be IKEv2 or IKEv1");
  } else if (c.connection_protocol == "IKEv1") {
    d.error(lab, p + ".connection_protocol", "IKEv1 is not emulated; use IKEv2 (Azure's default)");
  }
  // cloud-facts: "Connection modes [connectionMode]" [Z-MODE]
  if (!one_of<std::string>(c.connection_mode, {"Default", "InitiatorOnly", "ResponderOnly"})) {
    d.error(lab, p + ".connection_mode",
            "'" + c.connection_mode + "' is not one of Default, InitiatorOnly, ResponderOnly");
  }
  // cloud-facts: "DPD timeout [dpdTimeoutSeconds]" 9-3600 s [Z-FAQ-IPSEC]
  if (c.dpd_timeout_seconds < 9 || c.dpd_timeout_seconds > 3600) {
    d.error(lab, p + ".dpd_timeout_seconds",
            std::to_string(c.dpd_timeout_seconds) + " is outside 9-3600 s");
  }
  check_shared_key(lab, d, p + ".shared_key", c.shared_key);
  if (c.enable_bgp && !lab.azure.gateway.bgp.enabled) {
    d.error(lab, p + ".enable_bgp", "the gateway has BGP disabled");
  }
  if (c.ipsec_policy) {
    // cloud-facts: "Custom policy rules": all fields required, no partial policy [Z-FAQ-IPSEC]
    const auto& pol = *c.ipsec_policy;
    const std::pair<const char*, const std::string*> fields[] = {
        {"ike_encryption", &pol.ike_encryption},
        {"ike_integrity", &pol.ike_integrity},
        {"dh_group", &pol.dh_group},
        {"ipsec_encryption", &pol.ipsec_encryption},
        {"ipsec_integrity", &pol.ipsec_integrity},
        {"pfs_group", &pol.pfs_group}};
    for (const auto& [name, value] : fields) {
      if (value->empty()) {
        d.error(lab, p + ".ipsec_policy." + name,
                "missing; a custom IPsec/IKE policy must set every field (Azure rule)");
      }
    }
    if (pol.sa_lifetime_seconds < 300)
      d.error(lab, p + ".ipsec_policy.sa_lifetime_seconds", "minimum is 300 s");
    if (pol.sa_data_size_kilobytes < 1024) {
      d.error(lab, p + ".ipsec_policy.sa_data_size_kilobytes", "minimum is 1024 KB");
    }
  }
}

}  // namespace

void validate_azure(const Lab& lab, const Resolved& r, Diagnostics& d) {
  if (!one_of<std::string>(lab.lab.keying, {"ike", "manual"})) {
    d.error(lab, "lab.keying", "'" + lab.lab.keying + "' is not one of ike, manual");
  }
  if (!one_of<std::string>(lab.lab.esp_transport, {"raw_socket", "af_packet", "auto"})) {
    d.error(lab, "lab.esp_transport",
            "'" + lab.lab.esp_transport + "' is not one of raw_socket, af_packet, auto");
  }
  if (!(lab.lab.time_factor > 0 && lab.lab.time_factor <= 1)) {
    d.error(lab, "lab.time_factor", "must be in (0, 1]: it shortens timers for tests");
  }
  const auto& vnet = lab.azure.virtual_network;
  if (vnet.address_space.empty())
    d.error(lab, "azure.virtual_network.address_space", "must list at least one CIDR");
  std::vector<Ipv4Prefix> space;
  for (std::size_t i = 0; i < vnet.address_space.size(); ++i) {
    if (auto p = cidr_field(lab, d, idx("azure.virtual_network.address_space", i),
                            vnet.address_space[i])) {
      space.push_back(*p);
    }
  }
  bool has_gateway_subnet = false;
  for (std::size_t i = 0; i < vnet.subnets.size(); ++i) {
    std::string p = idx("azure.virtual_network.subnets", i);
    auto sub = cidr_field(lab, d, p + ".address_prefix", vnet.subnets[i].address_prefix);
    if (vnet.subnets[i].name == "GatewaySubnet") has_gateway_subnet = true;
    if (sub && std::none_of(space.begin(), space.end(),
                            [&](const Ipv4Prefix& s) { return s.contains(*sub); })) {
      d.error(lab, p + ".address_prefix", sub->to_string() + " is outside the VNet address space");
    }
  }
  if (!has_gateway_subnet) {
    d.error(lab, "azure.virtual_network.subnets",
            "needs a subnet named GatewaySubnet for the VPN gateway");
  }
  for (std::size_t i = 0; i < lab.azure.public_ips.size(); ++i) {
    if (!lab.azure.public_ips[i].ip_address.empty() && !r.azure_public_ip[i]) {
      d.error(lab, idx("azure.public_ips", i) + ".ip_address", "is not an IPv4 address");
    }
  }
  check_gateway(lab, d);
  for (std::size_t i = 0; i < lab.azure.local_network_gateways.size(); ++i) {
    const auto& lng = lab.azure.local_network_gateways[i];
    std::string p = idx("azure.local_network_gateways", i);
    if (!r.lng_tunnel[i]) {
      d.error(lab, p + ".gateway_ip_address",
              "'" + lng.gateway_ip_address +
                  "' names no AWS tunnel; write <vpn connection>.tunnel1|tunnel2 "
                  "or that tunnel's outside IP address");
    }
    if (auto why = reserved_asn(lng.bgp.asn)) {
      d.error(lab, p + ".bgp.asn",
              std::to_string(lng.bgp.asn) + " is " + *why +
                  " and cannot be used by the on-premises side");
    }
    auto peer = address_field(lab, d, p + ".bgp.peer_address", lng.bgp.peer_address);
    // cloud-facts: "On-prem BGP address rules": must differ from the device's public IP
    if (peer && r.lng_tunnel[i] &&
        r.aws_outside[r.lng_tunnel[i]->connection][r.lng_tunnel[i]->tunnel] == peer) {
      d.error(lab, p + ".bgp.peer_address", "must differ from the gateway IP address");
    }
    for (std::size_t a = 0; a < lng.address_space.size(); ++a) {
      cidr_field(lab, d, idx(p + ".address_space", a), lng.address_space[a]);
    }
  }
  for (std::size_t i = 0; i < lab.azure.connections.size(); ++i) check_connection(lab, r, d, i);
}

}  // namespace vpnlab::topology
