#include "topology/recovery.hpp"

#include <map>
#include <optional>

namespace vpnlab::topology {
namespace {

constexpr FailureEvent kEvents[] = {FailureEvent::azure_instance_restart,
                                    FailureEvent::aws_endpoint_restart, FailureEvent::dpd_timeout,
                                    FailureEvent::ike_sa_loss};

std::string azure_mode(IkeStart s) {
  return s == IkeStart::respond_only ? "ResponderOnly"
         : s == IkeStart::initiate   ? "InitiatorOnly"
                                     : "Default";
}

// Does the AWS end start IKE again after this event?
std::optional<std::string> aws_initiates(const TunnelRecovery& r, FailureEvent e) {
  if (e == FailureEvent::aws_endpoint_restart) {
    // cloud-facts "When start acts": start initiates "when establishing the VPN tunnel"
    // [A-INIT]; a restarted endpoint establishes its tunnel (assumed, see recovery.hpp).
    if (r.aws_start != IkeStart::respond_only) return "AWS (startup_action start)";
    return std::nullopt;
  }
  // cloud-facts "DPD timeout action": restart = AWS re-initiates IKE; clear ends the session
  // and the tunnel stays down until the customer gateway initiates [A-TUN, A-INIT].
  if (r.aws_dpd_action == "restart") return "AWS (dpd_timeout_action restart)";
  return std::nullopt;
}

// Does the Azure end dial again? cloud-facts "Connection modes" [Z-MODE]: Default and
// InitiatorOnly dial, ResponderOnly never does. That an initiating connection dials again after
// its DPD or an instance restart is assumed (Azure documents the first IKE setup only).
std::optional<std::string> azure_initiates(const TunnelRecovery& r, FailureEvent) {
  if (r.azure_start == IkeStart::respond_only) return std::nullopt;
  return "Azure (connection_mode " + azure_mode(r.azure_start) + ")";
}

EventOutcome outcome(const TunnelRecovery& r, FailureEvent e) {
  EventOutcome o{e, {}, false};
  auto aws = aws_initiates(r, e);
  auto azure = azure_initiates(r, e);
  if (aws) o.initiators.push_back(*aws);
  if (azure) o.initiators.push_back(*azure);
  // AWS accepts a customer gateway's IKE at any time ("Startup action" add [A-TUN]); Azure
  // InitiatorOnly refuses the peer's ("Connection modes" [Z-MODE]).
  bool azure_accepts = r.azure_start != IkeStart::initiate;
  o.comes_back = azure.has_value() || (aws.has_value() && azure_accepts);
  return o;
}

std::string join(const std::vector<std::string>& parts, const std::string& last_sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? last_sep : ", ";
    out += parts[i];
  }
  return out;
}

// Why nobody re-initiates, in the clouds' option names.
std::string aws_reason(const TunnelRecovery& r, bool dpd_fails, bool restart_fails) {
  bool start = r.aws_start != IkeStart::respond_only;
  if (!dpd_fails) {
    return "AWS startup_action add: a restarted AWS endpoint waits for the customer gateway "
           "(dpd_timeout_action restart acts only on an IKE session it still has)";
  }
  std::string s = "AWS dpd_timeout_action " + r.aws_dpd_action +
                  (r.aws_dpd_action == "none" ? " keeps the dead IKE session and waits"
                                              : " ends the IKE session and waits") +
                  " for the customer gateway";
  if (start) return s + " (startup_action start acts only when the tunnel is created)";
  return s + (restart_fails ? ", startup_action add never initiates" : "");
}

void explain(TunnelRecovery& r) {
  std::vector<std::string> lost;
  bool dpd_fails = false, restart_fails = false;
  for (const auto& o : r.outcomes) {
    if (o.comes_back) continue;
    lost.push_back(failure_event_text(o.event));
    if (o.event == FailureEvent::aws_endpoint_restart) {
      restart_fails = true;
    } else {
      dpd_fails = true;
    }
  }
  if (lost.empty()) return;
  r.reason = aws_reason(r, dpd_fails, restart_fails) + "; Azure connection " + r.azure_connection +
             " is " + azure_mode(r.azure_start) +
             " (the peer must initiate): nobody re-initiates after " + join(lost, " or ");
  std::vector<std::string> aws_fix;
  if (dpd_fails) aws_fix.push_back("dpd_timeout_action: restart");
  if (restart_fails && r.aws_start == IkeStart::respond_only)
    aws_fix.push_back("startup_action: start");
  r.fix = "set " + join(aws_fix, " and ") + " on AWS tunnel " + r.aws_tunnel +
          ", or connection_mode: Default on Azure connection " + r.azure_connection;
}

}  // namespace

std::string failure_event_text(FailureEvent e) {
  switch (e) {
    case FailureEvent::azure_instance_restart:
      return "an Azure instance restart";
    case FailureEvent::aws_endpoint_restart:
      return "an AWS endpoint restart";
    case FailureEvent::dpd_timeout:
      return "a DPD timeout";
    case FailureEvent::ike_sa_loss:
      return "an IKE_SA loss";
  }
  return "?";
}

std::string failure_event_name(FailureEvent e) {
  switch (e) {
    case FailureEvent::azure_instance_restart:
      return "azure_instance_restart";
    case FailureEvent::aws_endpoint_restart:
      return "aws_endpoint_restart";
    case FailureEvent::dpd_timeout:
      return "dpd_timeout";
    case FailureEvent::ike_sa_loss:
      return "ike_sa_loss";
  }
  return "?";
}

std::vector<TunnelRecovery> analyze_recovery(const LabPlan& plan) {
  std::map<std::string, const TunnelPlan*> aws_ends;
  bool aws_real = false;
  for (const auto& g : plan.gateways) {
    if (g.cloud != Cloud::aws || g.keying != "ike") continue;
    for (const auto& t : g.tunnels) aws_ends[t.device] = &t;
    aws_real = g.implementation != "vpnlab";
  }
  std::vector<TunnelRecovery> out;
  for (const auto& g : plan.gateways) {
    if (g.cloud != Cloud::azure || g.keying != "ike") continue;
    for (const auto& t : g.tunnels) {
      auto aws = aws_ends.find(t.device);
      if (aws == aws_ends.end()) continue;
      TunnelRecovery r;
      r.device = t.device;
      r.aws_tunnel = aws->second->name;
      r.azure_connection = t.azure_connection;
      r.azure_node = g.node;
      r.aws_start = aws->second->start;
      r.aws_dpd_action = aws->second->dpd_action;
      r.azure_start = t.start;
      r.real_software = aws_real || g.implementation != "vpnlab";
      for (FailureEvent e : kEvents) r.outcomes.push_back(outcome(r, e));
      explain(r);
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool stuck_now(const TunnelRecovery& r, const EndState& aws, const EndState& azure) {
  if (r.real_software || !aws.known || !azure.known) return false;
  if (aws.up && azure.up) return false;
  if (r.azure_start != IkeStart::respond_only) return false;  // Azure dials again
  if (aws.negotiating || azure.negotiating) return false;     // an exchange may still succeed
  // An AWS end with an IKE_SA and dpd_timeout_action restart re-initiates once its DPD fails.
  if (r.aws_dpd_action == "restart" && aws.has_ike_sa) return false;
  return true;
}

}  // namespace vpnlab::topology
