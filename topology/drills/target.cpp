#include "topology/drills/target.hpp"

#include "base/errors.hpp"

namespace vpnlab::topology::drills {
namespace {

struct KindName {
  const char* name;
  FaultKind kind;
};
constexpr KindName kKinds[] = {
    {"crash", FaultKind::instance_crash},         {"maintenance", FaultKind::instance_maintenance},
    {"replace", FaultKind::endpoint_replacement}, {"hang", FaultKind::gateway_hang},
    {"bgp-reset", FaultKind::bgp_reset},          {"path", FaultKind::path_impairment}};

Error bad(const std::string& message) {
  return {make_error_code(errc::invalid_value), message};
}

bool tunnel_kind(FaultKind k) {
  return k == FaultKind::endpoint_replacement || k == FaultKind::bgp_reset ||
         k == FaultKind::path_impairment;
}

Checked<void> resolve_node(Target& t, const std::string& object, const LabPlan& plan) {
  std::string names;
  for (const auto& g : plan.gateways) {
    bool instance = g.cloud == Cloud::azure && object == "instance" + std::to_string(g.instance);
    if (g.node == object || instance) {
      if (t.kind != FaultKind::gateway_hang && g.cloud != Cloud::azure) {
        return Unexpected{bad(t.spec + ": crash and maintenance act on an Azure instance; " +
                              g.node + " is the AWS gateway (use replace:TUNNEL for AWS)")};
      }
      t.node = g.node;
      return {};
    }
    names += (names.empty() ? "" : ", ") + g.node;
  }
  return Unexpected{bad(t.spec + ": no gateway '" + object + "' (gateways: " + names + ")")};
}

Checked<void> resolve_tunnel(Target& t, const std::string& object, const LabPlan& plan) {
  for (const auto& g : plan.gateways) {
    for (const auto& tp : g.tunnels) {
      if (tp.device != object && tp.name != object) continue;
      t.device = tp.device;
      // The AWS end acts: it replaces its endpoint and resets the session.
      if (t.node.empty() || g.cloud == Cloud::aws) t.node = g.node;
    }
  }
  if (t.device.empty()) {
    return Unexpected{bad(t.spec + ": no tunnel '" + object +
                          "' (a device such as aws0t1 or a cloud name; see vpnlab topology plan)")};
  }
  return {};
}

}  // namespace

Checked<Target> parse_target(const std::string& text, const LabPlan& plan) {
  Target t;
  t.spec = text;
  auto colon = text.find(':');
  std::string kind = text.substr(0, colon), kinds;
  bool found = false;
  for (const auto& k : kKinds) {
    kinds += (kinds.empty() ? "" : ", ") + std::string(k.name);
    if (kind == k.name) {
      t.kind = k.kind;
      found = true;
    }
  }
  if (!found || colon == std::string::npos || colon + 1 == text.size()) {
    return Unexpected{bad("target '" + text + "': expected KIND:OBJECT with KIND one of " + kinds +
                          " (crash:azure-gw0, replace:aws0t1, hang:aws-vgw, path:aws0t1)")};
  }
  std::string object = text.substr(colon + 1);
  auto rc = tunnel_kind(t.kind) ? resolve_tunnel(t, object, plan) : resolve_node(t, object, plan);
  if (!rc) return Unexpected{rc.error()};
  return t;
}

bool heals_itself(FaultKind k) {
  return k == FaultKind::bgp_reset;
}

std::string emulates(const Target& t) {
  switch (t.kind) {
    case FaultKind::instance_crash:
      return "Azure instance " + t.node +
             " fails as a host would: kill -9 of its gateway process, no DELETE, no NOTIFICATION; "
             "its peers find out by their own timers. Heal restarts it as `vpnlab up` does.";
    case FaultKind::instance_maintenance:
      return "Azure planned maintenance of " + t.node +
             ", one instance at a time: its tunnels are closed gracefully (IKE DELETE, BGP "
             "Cease), the instance stops, the other instance carries the traffic; heal restarts "
             "it (cloud-facts \"On instance maintenance\" [Z-AA])";
    case FaultKind::endpoint_replacement:
      return "AWS tunnel endpoint replacement of " + t.device +
             ", one tunnel at a time: the AWS end closes the tunnel (IKE DELETE, BGP Cease); at "
             "the heal the new endpoint comes up and initiates as its startup action allows "
             "(cloud-facts \"Tunnel endpoint lifecycle control\" [A-ELC], \"Tunnel maintenance\" "
             "[A-ROUTE])";
    case FaultKind::gateway_hang:
      return "gateway " + t.node +
             " hung: SIGSTOP of its process (no packet in or out, sockets stay open); heal: "
             "SIGCONT";
    case FaultKind::bgp_reset:
      return "BGP session of " + t.device + " reset from " + t.node +
             ": NOTIFICATION Cease/Administrative Reset (RFC 4486 subcode 4); both ends "
             "re-establish it by the FSM, the tunnel stays up";
    case FaultKind::path_impairment:
      return "internet path of tunnel " + t.device +
             " impaired on the lab's internet router (both directions, that tunnel's outside "
             "addresses only)";
  }
  return "";
}

std::vector<DocumentedFigure> documented_figures(const Target& t, bool down_path) {
  const DocumentedFigure aws_dpd{
      "AWS", "DPD declares the peer dead (default action clear: tunnel down, routes removed)", 30,
      "\"DPD timeout [DPDTimeoutSeconds]\" (30 s; 40 s in the current EC2 API reference) and "
      "\"DPD timeout action\" [A-TUN, A-SPEC]"};
  const DocumentedFigure aws_hold{"AWS", "BGP hold time", 30, "\"Hold time\" (BGP, VGW) [X-XML]"};
  const DocumentedFigure azure_dpd{"Azure", "DPD timeout (dpdTimeoutSeconds default)", 45,
                                   "\"DPD timeout [dpdTimeoutSeconds]\" [Z-FAQ-IPSEC]"};
  switch (t.kind) {
    case FaultKind::instance_crash:
      return {aws_dpd,
              aws_hold,
              {"AWS+Azure",
               "after the crash, AWS DPD action clear + Azure ResponderOnly: neither side "
               "re-initiates (restart on AWS, or an initiating Azure mode, avoids it)",
               -1, "\"Consequence for the reference setup\" [A-INIT, Z-MODE]"},
              {"Azure", "an instance's tunnels drop; routes withdrawn via BGP; no outage figure",
               -1, "\"On instance maintenance\" [Z-AA]"}};
    case FaultKind::instance_maintenance:
      return {
          {"Azure",
           "maintenance drops that instance's tunnels, routes withdrawn via BGP, the other "
           "instance's tunnels carry the traffic; no outage figure",
           -1,
           "\"On instance maintenance\" and \"Azure->on-prem traffic uses both tunnels\" [Z-AA]"}};
    case FaultKind::endpoint_replacement:
      return {{"AWS",
               "endpoint replaced one tunnel at a time, AWS lowers the MED on the other tunnel "
               "first; no outage figure",
               -1,
               "\"Tunnel maintenance\" [A-ROUTE], \"Tunnel endpoint lifecycle control\" [A-ELC]"}};
    case FaultKind::gateway_hang:
      return {aws_hold, aws_dpd, azure_dpd};
    case FaultKind::bgp_reset:
      return {{"AWS+Azure", "no figure for a BGP session reset", -1,
               "\"Graceful restart\": unconfirmed for both clouds (sections 1.2, 2.3)"}};
    case FaultKind::path_impairment:
      if (down_path) return {aws_dpd, aws_hold, azure_dpd};
      return {{"AWS+Azure", "no figure for loss or delay on the internet path", -1,
               "(none in cloud-facts.md)"}};
  }
  return {};
}

}  // namespace vpnlab::topology::drills
