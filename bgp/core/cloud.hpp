#pragma once
// Cloud personalities as plain data: what an AWS VGW or an Azure VPN gateway does with BGP,
// each value citing its shared/cloud-facts.md row. The speaker applies them through
// SessionConfig, ImportPolicy, ExportPolicy and the multipath switch; nothing else in the
// BGP code knows which cloud it emulates.

#include <string>
#include <vector>

#include "bgp/core/policy.hpp"
#include "bgp/core/session_config.hpp"

namespace vpnlab::bgp {

struct Personality {
  std::string name;  // "aws-vgw", "azure-vpngw", "generic"
  Asn asn;
  Seconds hold_time{180};
  Seconds keepalive_time{60};
  bool passive = false;
  bool multipath = true;
  bool graceful_restart_families = false;  // advertise IPv4 unicast in the GR capability
  ImportPolicy import;
  ExportPolicy export_policy;
};

/// AWS virtual private gateway: ASN 64512, hold 30 / keepalive 10, ≤100 prefixes from the
/// customer gateway, no ECMP, MED-signalled tunnel preference.
Personality aws_vgw();
/// Azure VPN gateway: ASN 65515 (default), keepalive 60 / hold 180, passive on APIPA,
/// ≤4000 prefixes, never advertises 0.0.0.0/0, rejects routes equal to a VNet prefix.
Personality azure_vpn_gateway(const std::vector<Ipv4Prefix>& vnet_prefixes = {});
/// Looks a personality up by name; std::nullopt if unknown.
std::optional<Personality> personality_by_name(const std::string& name,
                                               const std::vector<Ipv4Prefix>& networks);

}  // namespace vpnlab::bgp
