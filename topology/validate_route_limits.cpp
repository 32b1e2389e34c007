// The clouds' per-session route limits, predicted from the lab file: what each side would
// announce on every BGP session against what the other side accepts. Past the limit the
// receiving cloud ends the session, so all four sessions fail at `up` (cloud-facts §1.2
// "Routes a CGW may advertise" [A-QUOTA], "Behaviour when >100" [X-AVX]; §2.3 "Max prefixes
// from a peer" [Z-FAQ-BGP]).
#include <set>

#include "topology/validate.hpp"
#include "topology/validate_util.hpp"

namespace vpnlab::topology {
namespace {

constexpr std::size_t kAwsAcceptsPerSession = 100;     // [A-QUOTA]
constexpr std::size_t kAzureAcceptsPerSession = 4000;  // [Z-FAQ-BGP]

std::size_t count_distinct(const std::vector<std::string>& a, std::set<std::string>& seen) {
  std::size_t before = seen.size();
  for (const auto& p : a) {
    if (Ipv4Prefix::parse(p)) seen.insert(p);
  }
  return seen.size() - before;
}

}  // namespace

void validate_route_limits(const Lab& lab, Diagnostics& d) {
  // cloud-facts "What Azure advertises": the VNet's prefixes and the address prefixes of the
  // connected local network gateways (never the default route) [Z-FAQ-BGP].
  std::set<std::string> azure;
  std::size_t vnet = count_distinct(lab.azure.virtual_network.address_space, azure);
  std::size_t lngs = 0;
  for (const auto& l : lab.azure.local_network_gateways)
    lngs += count_distinct(l.address_space, azure);
  azure.erase("0.0.0.0/0");
  bool dynamic = false;
  for (const auto& v : lab.aws.vpn_connections) dynamic = dynamic || v.routing == "dynamic";
  if (dynamic && azure.size() > kAwsAcceptsPerSession) {
    d.warning(lab, "azure.virtual_network.address_space",
              "Azure would announce " + std::to_string(azure.size()) +
                  " prefixes on each BGP session (" + std::to_string(vnet) +
                  " VNet address prefixes, " + std::to_string(lngs) +
                  " from local network gateways' address spaces); AWS accepts at most " +
                  std::to_string(kAwsAcceptsPerSession) +
                  " per session and answers with NOTIFICATION Cease / Maximum Number of "
                  "Prefixes Reached: every session goes Idle. Summarise to " +
                  std::to_string(kAwsAcceptsPerSession) + " or fewer prefixes");
  }
  // What the VGW announces: the VPC CIDR (the lab's VPC has one; AWS sends at most 1,000
  // routes to a customer gateway [A-QUOTA], so this fires only if that model grows).
  std::set<std::string> aws;
  count_distinct({lab.aws.vpc.cidr}, aws);
  if (aws.size() > kAzureAcceptsPerSession) {
    d.warning(lab, "aws.vpc.cidr",
              "AWS would announce " + std::to_string(aws.size()) +
                  " prefixes on each BGP session; Azure accepts at most " +
                  std::to_string(kAzureAcceptsPerSession) + " and drops the session");
  }
}

}  // namespace vpnlab::topology
