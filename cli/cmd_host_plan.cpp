// vpnlab topology plan [FILE] --node N --host-interface IFACE --address A.B.C.D/N
//   [--gateway G] [--tunnel T]... [--peer-address A | --peer-address T=A]... [--show-secrets]
// prints the plan file `vpnlab gateway --config` runs that node from on a host interface.
#include <cstdio>

#include "cli/commands.hpp"
#include "topology/host_plan.hpp"

namespace vpnlab::cli {
namespace {

bool parse_args(const HostPlanArgs& a, topology::HostPlanOptions& o) {
  o.interface = a.interface;
  for (const auto& text : a.addresses) {
    auto p = Ipv4Prefix::parse(text, false);
    if (!p || p->length == 0) {
      std::fprintf(stderr, "--address: '%s' is not A.B.C.D/N (the host's address and length)\n",
                   text.c_str());
      return false;
    }
    o.addresses.push_back(*p);
  }
  if (!a.gateway.empty()) {
    o.gateway = Ipv4Address::parse(a.gateway);
    if (!o.gateway) {
      std::fprintf(stderr, "--gateway: '%s' is not an IPv4 address\n", a.gateway.c_str());
      return false;
    }
  }
  for (const auto& text : a.peers) {
    auto eq = text.find('=');
    auto addr = Ipv4Address::parse(eq == std::string::npos ? text : text.substr(eq + 1));
    if (!addr || eq == 0) {
      std::fprintf(stderr, "--peer-address: '%s' is neither A.B.C.D nor TUNNEL=A.B.C.D\n",
                   text.c_str());
      return false;
    }
    if (eq == std::string::npos) {
      o.peer_all = *addr;
    } else {
      o.peer_by_tunnel[text.substr(0, eq)] = *addr;
    }
  }
  o.tunnels = a.tunnels;
  return true;
}

}  // namespace

int cmd_topology_host_plan(const LabSource& src, const std::string& node, const HostPlanArgs& a) {
  if (node.empty()) {
    std::fprintf(stderr, "--host-interface needs --node (azure-gw0, azure-gw1 or aws-vgw)\n");
    return 1;
  }
  topology::HostPlanOptions options;
  if (!parse_args(a, options)) return 1;
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto compiled = topology::compile(*lab);
  for (auto& g : compiled.gateways) {
    if (g.node != node) continue;
    auto plan = topology::host_plan(std::move(g), options);
    if (!plan) {
      std::fprintf(stderr, "vpnlab topology plan: %s\n", plan.error().message.c_str());
      return 1;
    }
    if (!a.show_secrets) {
      for (auto& t : plan->tunnels) t.psk = SecretBytes(std::string_view(topology::kRedactedPsk));
    }
    std::fputs(topology::plan_to_yaml(*plan).c_str(), stdout);
    if (!a.show_secrets) {
      std::fputs("# pre-shared keys redacted: `vpnlab gateway` needs them (--show-secrets)\n",
                 stdout);
    }
    return 0;
  }
  std::fprintf(stderr, "no gateway node named '%s' (azure-gw0, azure-gw1, aws-vgw)\n",
               node.c_str());
  return 1;
}

}  // namespace vpnlab::cli
