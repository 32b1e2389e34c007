// AWS's documented rules for a virtual private gateway, customer gateways and Site-to-Site
// VPN tunnel options (shared/cloud-facts.md §1.1, §1.2, §4.1).
#include <set>

#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {
namespace {

// cloud-facts: "Reserved inside CIDRs (rejected)" [A-TUN, A-SPEC]
const std::vector<std::string> kReservedInside = {
    "169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30",    "169.254.3.0/30",
    "169.254.4.0/30", "169.254.5.0/30", "169.254.169.252/30"};

void check_psk(const Lab& lab, Diagnostics& d, const std::string& path, const SecretBytes& psk) {
  // cloud-facts: "Pre-shared key [PreSharedKey]": 8-64 chars of [A-Za-z0-9._], not starting
  // with 0 [A-TUN, A-SPEC]. The message never quotes the key.
  auto s = psk.expose();
  if (s.empty()) return d.error(lab, path, "missing; AWS needs a pre-shared key per tunnel");
  if (s.size() < 8 || s.size() > 64) {
    d.error(lab, path,
            "is " + std::to_string(s.size()) + " characters long; AWS requires 8 to 64 characters");
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = static_cast<char>(s[i]);
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
    if (!ok) {
      d.error(lab, path,
              "character " + std::to_string(i + 1) +
                  " is not allowed; AWS accepts only letters, digits, '.' and '_'");
      break;
    }
  }
  if (s[0] == '0') d.error(lab, path, "must not start with '0' (AWS rule)");
}

template <typename T>
void check_subset(const Lab& lab, Diagnostics& d, const std::string& path,
                  const std::vector<T>& values, const std::vector<T>& allowed,
                  const std::string& allowed_text) {
  if (values.empty()) d.error(lab, path, "must list at least one value of " + allowed_text);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::find(allowed.begin(), allowed.end(), values[i]) == allowed.end()) {
      std::string v;
      if constexpr (std::is_same_v<T, std::string>)
        v = values[i];
      else
        v = std::to_string(values[i]);
      d.error(lab, idx(path, i), "'" + v + "' is not allowed; AWS accepts " + allowed_text);
    }
  }
}

void check_tunnel_options(const Lab& lab, Diagnostics& d, const std::string& p,
                          const AwsTunnelOptions& t) {
  // cloud-facts §1.1 tunnel options [A-TUN].
  const std::vector<std::string> enc = {"AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"};
  const std::vector<std::string> integ = {"SHA1", "SHA2-256", "SHA2-384", "SHA2-512"};
  check_subset(lab, d, p + ".phase1_encryption", t.phase1_encryption, enc, join(enc));
  check_subset(lab, d, p + ".phase2_encryption", t.phase2_encryption, enc, join(enc));
  check_subset(lab, d, p + ".phase1_integrity", t.phase1_integrity, integ, join(integ));
  check_subset(lab, d, p + ".phase2_integrity", t.phase2_integrity, integ, join(integ));
  check_subset<std::int64_t>(lab, d, p + ".phase1_dh_groups", t.phase1_dh_groups,
                             {2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24},
                             "2, 14-24 (group 5 is phase 2 only)");
  check_subset<std::int64_t>(lab, d, p + ".phase2_dh_groups", t.phase2_dh_groups,
                             {2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, "2, 5, 14-24");
  check_subset<std::string>(lab, d, p + ".ike_versions", t.ike_versions, {"ikev1", "ikev2"},
                            "ikev1, ikev2");
  if (t.phase1_lifetime_seconds < 900 || t.phase1_lifetime_seconds > 28800) {
    d.error(lab, p + ".phase1_lifetime_seconds",
            std::to_string(t.phase1_lifetime_seconds) + " is outside 900-28800 s");
  }
  if (t.phase2_lifetime_seconds < 900 || t.phase2_lifetime_seconds > 3600) {
    d.error(lab, p + ".phase2_lifetime_seconds",
            std::to_string(t.phase2_lifetime_seconds) + " is outside 900-3600 s");
  } else if (t.phase2_lifetime_seconds >= t.phase1_lifetime_seconds) {
    d.error(lab, p + ".phase2_lifetime_seconds",
            "must be less than phase1_lifetime_seconds (" +
                std::to_string(t.phase1_lifetime_seconds) + ")");
  }
  std::int64_t max_margin = t.phase2_lifetime_seconds / 2;
  if (t.rekey_margin_time_seconds < 60 || t.rekey_margin_time_seconds > max_margin) {
    d.error(lab, p + ".rekey_margin_time_seconds",
            std::to_string(t.rekey_margin_time_seconds) + " is outside 60-" +
                std::to_string(max_margin) + " s (60 to half the phase 2 lifetime)");
  }
  if (t.rekey_fuzz_percentage < 0 || t.rekey_fuzz_percentage > 100) {
    d.error(lab, p + ".rekey_fuzz_percentage", "must be 0-100");
  }
  if (t.replay_window_size < 64 || t.replay_window_size > 2048) {
    d.error(lab, p + ".replay_window_size",
            std::to_string(t.replay_window_size) + " is outside 64-2048 packets");
  }
  if (t.dpd_timeout_seconds < 30) {
    d.error(lab, p + ".dpd_timeout_seconds",
            std::to_string(t.dpd_timeout_seconds) + " is below AWS's minimum of 30 s");
  }
  if (!one_of<std::string>(t.dpd_timeout_action, {"clear", "none", "restart"})) {
    d.error(lab, p + ".dpd_timeout_action",
            "'" + t.dpd_timeout_action + "' is not one of clear, none, restart");
  }
  if (!one_of<std::string>(t.tunnel_bandwidth, {"standard", "large"})) {
    d.error(lab, p + ".tunnel_bandwidth",
            "'" + t.tunnel_bandwidth + "' is not one of standard, large");
  } else if (t.tunnel_bandwidth == "large") {
    // cloud-facts 1.3: "up to 5 Gbps (large, not for VGW)" [A-BLOG, A-BW]
    d.error(lab, p + ".tunnel_bandwidth",
            "'large' (5 Gbps) is not available on a virtual private gateway; the lab's VPN "
            "connections end on one (use standard: 1.25 Gbps)");
  }
  if (!one_of<std::string>(t.startup_action, {"add", "start"})) {
    d.error(lab, p + ".startup_action", "'" + t.startup_action + "' is not one of add, start");
  } else if (t.startup_action == "start" && std::find(t.ike_versions.begin(), t.ike_versions.end(),
                                                      "ikev2") == t.ike_versions.end()) {
    // cloud-facts: "`start` restrictions": AWS-side initiation is IKEv2 only [A-INIT]
    d.error(lab, p + ".startup_action", "'start' needs ikev2 in ike_versions (AWS rule)");
  }
}

void check_inside_cidr(const Lab& lab, Diagnostics& d, const std::string& path,
                       const std::string& text, std::set<Ipv4Prefix>& seen) {
  auto cidr = cidr_field(lab, d, path, text);
  if (!cidr) return;
  // cloud-facts: "Inside IPv4 CIDR [TunnelInsideCidr]": a /30 inside 169.254.0.0/16 [A-TUN]
  if (cidr->length != 30) {
    d.error(lab, path, text + " must be a /30 (AWS inside CIDRs are /30)");
  }
  if (!Ipv4Prefix::parse("169.254.0.0/16")->contains(*cidr)) {
    d.error(lab, path, text + " must lie in 169.254.0.0/16");
  }
  for (const auto& r : kReservedInside) {
    if (Ipv4Prefix::parse(r)->overlaps(*cidr)) {
      d.error(lab, path,
              text + " is reserved by AWS (" + r + "); reserved: " + join(kReservedInside));
    }
  }
  // Unique across all VPN connections on the same VGW [A-TUN].
  if (!seen.insert(*cidr).second) {
    d.error(lab, path, text + " is already used by another tunnel on this virtual private gateway");
  }
}

}  // namespace

void validate_aws(const Lab& lab, const Resolved& r, Diagnostics& d) {
  const Aws& aws = lab.aws;
  auto vpc = cidr_field(lab, d, "aws.vpc.cidr", aws.vpc.cidr);
  (void)vpc;
  const auto& vgw = aws.virtual_private_gateway;
  // cloud-facts: "VGW (Amazon-side) ASN": 64512-65534 or 4200000000-4294967294 [A-VGWAPI]
  std::int64_t asn = vgw.amazon_side_asn;
  if (!((asn >= 64512 && asn <= 65534) || (asn >= 4200000000LL && asn <= 4294967294LL))) {
    d.error(lab, "aws.virtual_private_gateway.amazon_side_asn",
            std::to_string(asn) +
                " is not a private ASN; AWS accepts 64512-65534 or "
                "4200000000-4294967294 (default 64512)");
  }
  if (vgw.vpc != aws.vpc.name) {
    d.error(lab, "aws.virtual_private_gateway.vpc",
            "'" + vgw.vpc + "' is not the VPC of this lab ('" + aws.vpc.name + "')");
  }
  for (std::size_t i = 0; i < aws.customer_gateways.size(); ++i) {
    const auto& cgw = aws.customer_gateways[i];
    std::string p = idx("aws.customer_gateways", i);
    // cloud-facts: "Customer gateway ASN [BgpAsn]" 1-2147483647 (larger via BgpAsnExtended,
    // up to 4294967295); "CGW ASNs refused" 7224, 9059 [A-CGWAPI, A-CGWAPI-OLD]
    if (cgw.bgp_asn < 1 || cgw.bgp_asn > 4294967295LL) {
      d.error(lab, p + ".bgp_asn", std::to_string(cgw.bgp_asn) + " is outside 1-4294967295");
    } else if (cgw.bgp_asn == 7224 || cgw.bgp_asn == 9059) {
      d.error(lab, p + ".bgp_asn",
              std::to_string(cgw.bgp_asn) + " is reserved by AWS in some regions");
    }
    if (!r.cgw_instance[i] && !Ipv4Address::parse(cgw.ip_address)) {
      d.error(lab, p + ".ip_address",
              "'" + cgw.ip_address +
                  "' is neither an IPv4 address nor an Azure gateway public IP name (" +
                  join(lab.azure.gateway.public_ips) + ")");
    }
  }
  // cloud-facts: "Other quotas": 10 VPN connections per VGW [A-QUOTA]
  if (aws.vpn_connections.size() > 10) {
    d.error(lab, "aws.vpn_connections",
            "more than 10 VPN connections on one virtual private gateway");
  }
  std::set<Ipv4Prefix> seen;
  for (std::size_t i = 0; i < aws.vpn_connections.size(); ++i) {
    const auto& vpn = aws.vpn_connections[i];
    std::string p = idx("aws.vpn_connections", i);
    if (!find_named(aws.customer_gateways, vpn.customer_gateway)) {
      d.error(lab, p + ".customer_gateway",
              "'" + vpn.customer_gateway + "' names no customer gateway");
    }
    if (vpn.virtual_private_gateway != vgw.name) {
      d.error(lab, p + ".virtual_private_gateway",
              "'" + vpn.virtual_private_gateway + "' is not the lab's virtual private gateway ('" +
                  vgw.name + "')");
    }
    if (!one_of<std::string>(vpn.routing, {"dynamic", "static"})) {
      d.error(lab, p + ".routing", "'" + vpn.routing + "' is not one of dynamic, static");
    }
    if (vpn.tunnel_inside_ip_version != "ipv4") {
      d.error(lab, p + ".tunnel_inside_ip_version",
              "only ipv4 is supported on a virtual private gateway");
    }
    cidr_field(lab, d, p + ".local_ipv4_network_cidr", vpn.local_ipv4_network_cidr);
    cidr_field(lab, d, p + ".remote_ipv4_network_cidr", vpn.remote_ipv4_network_cidr);
    // A Site-to-Site VPN connection always has exactly two tunnels [A-TUN].
    if (vpn.tunnels.size() != 2) {
      d.error(lab, p + ".tunnels",
              "has " + std::to_string(vpn.tunnels.size()) +
                  " tunnels; an AWS VPN connection has exactly 2");
    }
    for (std::size_t t = 0; t < vpn.tunnels.size(); ++t) {
      std::string tp = idx(p + ".tunnels", t);
      check_inside_cidr(lab, d, tp + ".inside_cidr", vpn.tunnels[t].inside_cidr, seen);
      check_psk(lab, d, tp + ".pre_shared_key", vpn.tunnels[t].pre_shared_key);
      check_tunnel_options(lab, d, tp, vpn.tunnels[t]);
      if (!vpn.tunnels[t].outside_ip_address.empty() && !r.aws_outside[i][t]) {
        d.error(lab, tp + ".outside_ip_address",
                "'" + vpn.tunnels[t].outside_ip_address + "' is not an IPv4 address");
      }
    }
  }
}

}  // namespace vpnlab::topology
