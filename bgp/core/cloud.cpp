#include "bgp/core/cloud.hpp"

namespace vpnlab::bgp {

Personality aws_vgw() {
  Personality p;
  p.name = "aws-vgw";
  p.asn = Asn{64512};              // cloud-facts: "VGW (Amazon-side) ASN" default 64512 [A-VGWAPI]
  p.hold_time = Seconds(30);       // cloud-facts: "Hold time" 30 s [X-XML]
  p.keepalive_time = Seconds(10);  // cloud-facts: "Keepalive" 10 s [X-IOS]
  p.passive = false;
  p.multipath = false;  // cloud-facts: "ECMP" not on a VGW [A-ROUTE]
  // cloud-facts: "Routes a CGW may advertise per VPN connection (dynamic)" 100 [A-QUOTA];
  // "Behaviour when >100": Cease/1 with AFI 1, SAFI 1, limit 100, session Idle [X-AVX].
  p.import.max_prefixes = 100;
  return p;
}

Personality azure_vpn_gateway(const std::vector<Ipv4Prefix>& vnet_prefixes) {
  Personality p;
  p.name = "azure-vpngw";
  p.asn = Asn{65515};              // cloud-facts: "Default Azure ASN" 65515 [Z-FAQ-BGP]
  p.hold_time = Seconds(180);      // cloud-facts: "Timers" hold 180 s [Z-TIMER]
  p.keepalive_time = Seconds(60);  // cloud-facts: "Timers" keepalive 60 s [Z-TIMER]
  p.passive = true;                // cloud-facts: "APIPA passivity" [Z-AWS-OLD]
  p.multipath = true;              // cloud-facts §2.2: flows spread across all tunnels [Z-AA]
  // cloud-facts: "Max prefixes from a peer" 4000, session dropped [Z-FAQ-BGP].
  p.import.max_prefixes = 4000;
  // cloud-facts: "Prefix filtering": routes identical to a VNet prefix rejected [Z-FAQ-BGP].
  p.import.reject_equal_to = vnet_prefixes;
  // cloud-facts: "What Azure advertises": never the default route [Z-FAQ-BGP].
  p.export_policy.never_advertise_default = true;
  return p;
}

std::optional<Personality> personality_by_name(const std::string& name,
                                               const std::vector<Ipv4Prefix>& networks) {
  if (name == "aws-vgw" || name == "aws") return aws_vgw();
  if (name == "azure-vpngw" || name == "azure") return azure_vpn_gateway(networks);
  if (name == "generic") {
    Personality p;
    p.name = "generic";
    return p;
  }
  return std::nullopt;
}

}  // namespace vpnlab::bgp
