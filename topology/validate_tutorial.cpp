// The rules the tutorial states (shared/seed/README.md "Rules the tutorial states") and the
// cross-cloud consistency they imply: the two halves of each tunnel must agree.
#include <map>

#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {
namespace {

std::optional<Ipv4Prefix> inside_of(const Lab& lab, TunnelRef t) {
  return Ipv4Prefix::parse(lab.aws.vpn_connections[t.connection].tunnels[t.tunnel].inside_cidr);
}

void check_asns_and_cidrs(const Lab& lab, Diagnostics& d) {
  const auto azure_asn = lab.azure.gateway.bgp.asn;
  const auto aws_asn = lab.aws.virtual_private_gateway.amazon_side_asn;
  // Tutorial: the Azure ASN must differ from the AWS ASN (custom AWS ASNs too).
  if (azure_asn == aws_asn) {
    d.error(lab, "aws.virtual_private_gateway.amazon_side_asn",
            std::to_string(aws_asn) +
                " equals the Azure gateway's ASN; the two sides need different ASNs");
  }
  for (std::size_t i = 0; i < lab.aws.customer_gateways.size(); ++i) {
    if (lab.aws.customer_gateways[i].bgp_asn != azure_asn) {
      d.error(lab, idx("aws.customer_gateways", i) + ".bgp_asn",
              std::to_string(lab.aws.customer_gateways[i].bgp_asn) +
                  " must be the Azure VPN gateway's ASN (" + std::to_string(azure_asn) + ")");
    }
  }
  for (std::size_t i = 0; i < lab.azure.local_network_gateways.size(); ++i) {
    const auto& lng = lab.azure.local_network_gateways[i];
    if (lng.bgp.asn != aws_asn) {
      d.error(lab, idx("azure.local_network_gateways", i) + ".bgp.asn",
              std::to_string(lng.bgp.asn) + " must be the AWS virtual private gateway's ASN (" +
                  std::to_string(aws_asn) + ")");
    }
  }
  // Tutorial: VNet and VPC CIDRs must not overlap.
  auto vpc = Ipv4Prefix::parse(lab.aws.vpc.cidr);
  for (std::size_t i = 0; i < lab.azure.virtual_network.address_space.size(); ++i) {
    auto vnet = Ipv4Prefix::parse(lab.azure.virtual_network.address_space[i]);
    if (vpc && vnet && vpc->overlaps(*vnet)) {
      d.error(lab, "aws.vpc.cidr",
              vpc->to_string() + " overlaps the Azure VNet address space " + vnet->to_string() +
                  "; choose a CIDR that does not");
    }
  }
}

void check_apipa_lists(const Lab& lab, Diagnostics& d) {
  const auto& bgp = lab.azure.gateway.bgp;
  const std::string p = "azure.virtual_network_gateway.bgp.custom_apipa_addresses";
  // Tutorial: an active/standby gateway supports only one custom APIPA BGP address.
  if (!lab.azure.gateway.active_active) {
    if (bgp.custom_apipa_instance0.size() > 1) {
      d.error(lab, p + ".instance0",
              "an active/standby gateway supports only one custom APIPA "
              "address; connecting to several AWS tunnels needs active_active: true");
    }
    if (!bgp.custom_apipa_instance1.empty()) {
      d.error(lab, p + ".instance1", "an active/standby gateway has no second instance");
    }
  }
  // Tutorial: APIPA addresses must not overlap between AWS and the Azure gateways.
  for (int inst = 0; inst < 2; ++inst) {
    const auto& list = inst == 0 ? bgp.custom_apipa_instance0 : bgp.custom_apipa_instance1;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto a = Ipv4Address::parse(list[i]);
      if (!a) continue;
      for (const auto& vpn : lab.aws.vpn_connections) {
        for (std::size_t t = 0; t < vpn.tunnels.size(); ++t) {
          auto cidr = Ipv4Prefix::parse(vpn.tunnels[t].inside_cidr);
          if (cidr && cidr->length == 30 && cidr->network().next(1) == *a) {
            d.error(lab, idx(p + ".instance" + std::to_string(inst), i),
                    list[i] + " is the AWS side of " + vpn.name + ".tunnel" +
                        std::to_string(t + 1) + " (" + cidr->to_string() +
                        "); Azure uses the second address, " + cidr->network().next(2).to_string());
          }
        }
      }
      const auto& other = inst == 0 ? bgp.custom_apipa_instance1 : bgp.custom_apipa_instance0;
      if (inst == 1 && std::find(other.begin(), other.end(), list[i]) != other.end()) {
        d.error(lab, idx(p + ".instance1", i),
                list[i] +
                    " is also an instance 0 address; each "
                    "address belongs to one instance");
      }
    }
  }
}

// Tutorial: AWS takes the first usable address of the /30, Azure the second; a connection to
// instance 0 uses only its primary custom address, to instance 1 only its secondary; the
// custom address must match the tunnel its local network gateway names.
void check_connection_tunnel(const Lab& lab, const Resolved& r, Diagnostics& d, std::size_t i) {
  const auto& c = lab.azure.connections[i];
  const std::string p = idx("azure.connections", i);
  if (!r.connection_lng[i]) return;
  std::size_t lng_index = *r.connection_lng[i];
  const auto& lng = lab.azure.local_network_gateways[lng_index];
  auto tref = r.lng_tunnel[lng_index];
  if (!tref) return;
  const auto& tunnel = lab.aws.vpn_connections[tref->connection].tunnels[tref->tunnel];
  std::string label = tunnel_label(lab, *tref);
  if (!c.shared_key.equals(tunnel.pre_shared_key)) {
    d.error(lab, p + ".shared_key",
            "differs from the pre-shared key of AWS tunnel " + label +
                " (the tunnel its local network gateway names); IKE would "
                "fail with AUTHENTICATION_FAILED");
  }
  if (c.enable_bgp && lab.aws.vpn_connections[tref->connection].routing != "dynamic") {
    d.error(lab, p + ".enable_bgp",
            "AWS VPN connection " + lab.aws.vpn_connections[tref->connection].name +
                " uses static routing; BGP needs routing: dynamic");
  }
  auto inside = inside_of(lab, *tref);
  if (!inside || inside->length != 30) return;
  auto aws_addr = inside->network().next(1);
  auto azure_addr = inside->network().next(2);
  std::string lp = idx("azure.local_network_gateways", lng_index);
  auto peer = Ipv4Address::parse(lng.bgp.peer_address);
  if (peer && *peer != aws_addr) {
    d.error(lab, lp + ".bgp.peer_address",
            lng.bgp.peer_address + " must be AWS's inside address of " + label + ", " +
                aws_addr.to_string() + " (AWS takes the first usable address of " +
                inside->to_string() + ")");
  }
  auto instance = tunnel_instance(lab, r, *tref);
  if (!instance || !c.enable_bgp) return;
  const auto& gwlist = *instance == 0 ? lab.azure.gateway.bgp.custom_apipa_instance0
                                      : lab.azure.gateway.bgp.custom_apipa_instance1;
  const char* field =
      *instance == 0 ? ".custom_bgp_addresses.primary" : ".custom_bgp_addresses.secondary";
  if (!c.use_custom_bgp_addresses) {
    if (gwlist.size() > 1) {
      // cloud-facts: "APIPA selection quirk" [Z-AWS]: the first address of the list is used.
      d.warning(lab, p,
                "selects no custom BGP address while instance " + std::to_string(*instance) +
                    " has " + std::to_string(gwlist.size()) +
                    " APIPA addresses: Azure uses the first, " + gwlist.front() +
                    ", whatever the tunnel; " + label + " needs " + azure_addr.to_string() +
                    " (set custom_bgp_addresses)");
    }
    return;
  }
  const std::string& chosen = *instance == 0 ? c.custom_bgp_primary : c.custom_bgp_secondary;
  auto chosen_addr = Ipv4Address::parse(chosen);
  if (!chosen_addr) {
    d.error(lab, p + field,
            "'" + chosen + "' is not an IPv4 address; instance " + std::to_string(*instance) +
                " terminates " + label + " and needs " + azure_addr.to_string());
    return;
  }
  if (std::find(gwlist.begin(), gwlist.end(), chosen) == gwlist.end()) {
    d.error(lab, p + field,
            chosen + " is not one of instance " + std::to_string(*instance) +
                "'s custom APIPA addresses (" + join(gwlist) + ")");
  }
  if (*chosen_addr != azure_addr) {
    d.error(lab, p + field,
            chosen + " does not match " + label + " (inside " + inside->to_string() +
                "): Azure's address on that tunnel is " + azure_addr.to_string());
  }
  // The unused one must still hold a valid address of the other instance.
  const std::string& other = *instance == 0 ? c.custom_bgp_secondary : c.custom_bgp_primary;
  const auto& other_list = *instance == 0 ? lab.azure.gateway.bgp.custom_apipa_instance1
                                          : lab.azure.gateway.bgp.custom_apipa_instance0;
  const char* other_field =
      *instance == 0 ? ".custom_bgp_addresses.secondary" : ".custom_bgp_addresses.primary";
  if (lab.azure.gateway.active_active &&
      std::find(other_list.begin(), other_list.end(), other) == other_list.end()) {
    d.error(lab, p + other_field,
            "'" + other + "' must be one of the other instance's APIPA addresses (" +
                join(other_list) + "); it is not used for this tunnel but Azure requires it");
  }
}

void check_every_tunnel_served(const Lab& lab, const Resolved& r, Diagnostics& d) {
  for (std::size_t c = 0; c < lab.aws.vpn_connections.size(); ++c) {
    const auto& vpn = lab.aws.vpn_connections[c];
    for (std::size_t t = 0; t < vpn.tunnels.size(); ++t) {
      std::string tp = idx(idx("aws.vpn_connections", c) + ".tunnels", t);
      auto inside = Ipv4Prefix::parse(vpn.tunnels[t].inside_cidr);
      // Tutorial: the inside CIDR must also lie in Azure's APIPA range for VPN.
      if (inside && (inside->network() < *Ipv4Address::parse("169.254.21.0") ||
                     inside->last() > *Ipv4Address::parse("169.254.22.255"))) {
        d.error(lab, tp + ".inside_cidr",
                inside->to_string() +
                    " is outside Azure's APIPA range "
                    "169.254.21.0 - 169.254.22.255");
      }
      std::vector<std::size_t> served_by;
      for (std::size_t l = 0; l < r.lng_tunnel.size(); ++l) {
        if (r.lng_tunnel[l] == TunnelRef{c, t}) served_by.push_back(l);
      }
      if (served_by.empty()) {
        d.warning(lab, tp, "no Azure local network gateway names this tunnel; it will stay DOWN");
      }
      for (std::size_t l : served_by) {
        for (std::size_t k = 0; k < lab.azure.connections.size(); ++k) {
          if (r.connection_lng[k] != l) continue;
          // cloud-facts §4.4: startup action add + ResponderOnly never comes up.
          if (vpn.tunnels[t].startup_action == "add" &&
              lab.azure.connections[k].connection_mode == "ResponderOnly") {
            d.warning(lab, idx("azure.connections", k) + ".connection_mode",
                      "ResponderOnly with AWS startup_action add on " + vpn.name + ".tunnel" +
                          std::to_string(t + 1) +
                          ": neither side initiates, the tunnel never comes up");
          }
        }
      }
    }
  }
}

// Lab rule: public addresses given explicitly must sit in the range the lab's internet routes
// for that cloud (RFC 5737: Azure 203.0.113.0/24, AWS 198.51.100.0/24; .1 is the router),
// and no address may be used twice.
void check_public_addresses(const Lab& lab, const Resolved& r, Diagnostics& d) {
  std::map<Ipv4Address, std::string> seen;
  auto check = [&](const std::string& path, std::optional<Ipv4Address> a, const Ipv4Prefix& range,
                   const char* cloud) {
    if (!a) return;
    if (!range.contains(*a) || *a == range.network().next(1) || *a == range.last()) {
      d.error(lab, path,
              a->to_string() + " is outside the lab's " + cloud + " public range " +
                  range.to_string() + " (use .2-.254, or leave it out to have one assigned)");
    }
    auto [it, fresh] = seen.emplace(*a, path);
    if (!fresh) d.error(lab, path, a->to_string() + " is already used by " + it->second);
  };
  for (std::size_t i = 0; i < lab.azure.public_ips.size(); ++i) {
    check(idx("azure.public_ips", i) + ".ip_address", r.azure_public_ip[i], kAzurePublicRange,
          "Azure");
  }
  for (std::size_t c = 0; c < r.aws_outside.size(); ++c) {
    for (std::size_t t = 0; t < r.aws_outside[c].size(); ++t) {
      check(idx(idx("aws.vpn_connections", c) + ".tunnels", t) + ".outside_ip_address",
            r.aws_outside[c][t], kAwsPublicRange, "AWS");
    }
  }
}

}  // namespace

void validate_tutorial(const Lab& lab, const Resolved& r, Diagnostics& d) {
  check_asns_and_cidrs(lab, d);
  check_apipa_lists(lab, d);
  for (std::size_t i = 0; i < lab.azure.connections.size(); ++i)
    check_connection_tunnel(lab, r, d, i);
  check_every_tunnel_served(lab, r, d);
  check_public_addresses(lab, r, d);
}

Diagnostics validate(const Lab& lab) {
  Diagnostics d;
  Resolved r = resolve(lab);
  validate_azure(lab, r, d);
  validate_aws(lab, r, d);
  validate_tutorial(lab, r, d);
  validate_nodes(lab, d);
  // Predictions only make sense for a lab whose references resolved.
  if (d.ok()) {
    validate_route_limits(lab, d);
    validate_proposals(lab, r, d);
  }
  if (d.ok()) validate_recovery(lab, d);
  return d;
}

}  // namespace vpnlab::topology
