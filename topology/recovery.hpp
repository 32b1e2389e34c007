#pragma once
// Recovery analysis: for each tunnel of a compiled lab, who (re)initiates IKE after a failure
// and therefore whether the tunnel comes back by itself - the clouds' documented rules
// (shared/cloud-facts.md) applied to the plan. Pure: the same plan gives the same answer, so
// `validate` can warn before `up`, and `status` / `up --wait` can say why a down tunnel stays
// down (stuck_now, from the live state of its two ends).
//
// The rules (each cited where it is applied, recovery.cpp):
//   AWS end   dpd_timeout_action restart re-initiates after its DPD declares the peer dead;
//             clear ends the IKE session and waits for the customer gateway; none keeps the
//             dead session and waits ("DPD timeout action" [A-TUN, A-INIT]). startup_action
//             start initiates only when the tunnel is established ("When start acts"
//             [A-INIT]); the lab treats an AWS endpoint (process) restart as establishing it
//             (assumed: AWS documents no restart of its own endpoint).
//   Azure end Default and InitiatorOnly dial, ResponderOnly never does ("Connection modes"
//             [Z-MODE]). After its own DPD (45 s default, "DPD timeout" [Z-FAQ-IPSEC]) or an
//             instance restart an initiating connection dials again (assumed: Azure documents
//             the modes for the initial IKE setup only).
//   An IKE_SA lost on one end (its exchange's retransmissions unanswered, RFC 7296 2.4) is
//   handled like a DPD timeout: the other end's DPD fails next, its action applies.

#include <string>
#include <vector>

#include "topology/plan.hpp"

namespace vpnlab::topology {

enum class FailureEvent { azure_instance_restart, aws_endpoint_restart, dpd_timeout, ike_sa_loss };

/// "an Azure instance restart", "a DPD timeout", ...
std::string failure_event_text(FailureEvent e);
/// azure_instance_restart, ... (the --json spelling)
std::string failure_event_name(FailureEvent e);

struct EventOutcome {
  FailureEvent event;
  std::vector<std::string>
      initiators;  // who starts IKE again, e.g. "AWS (dpd_timeout_action restart)"
  bool comes_back = false;
};

struct TunnelRecovery {
  std::string device;                             // aws0t1 (both ends)
  std::string aws_tunnel;                         // ToAzureInstance0.tunnel1
  std::string azure_connection;                   // AWSTunnel1ToInstance0
  std::string azure_node;                         // azure-gw0
  IkeStart aws_start = IkeStart::respond_only;    // startup_action add (start: both)
  std::string aws_dpd_action = "clear";           // clear | restart | none
  IkeStart azure_start = IkeStart::respond_only;  // ResponderOnly / InitiatorOnly / Default
  // An end run by real software (lab.nodes): it follows its own daemon's rules (the
  // strongSwan export notes where they differ), so stuck_now never judges the live tunnel.
  bool real_software = false;
  std::vector<EventOutcome> outcomes;
  std::string reason;  // empty when every event comes back; else why not, in the clouds' words
  std::string fix;     // the nearest change that makes it come back

  bool always_comes_back() const { return reason.empty(); }
};

/// One entry per tunnel that has both ends in the plan and is keyed by IKE (manual keying
/// re-derives its SAs at every gateway start: nothing to analyse).
std::vector<TunnelRecovery> analyze_recovery(const LabPlan& plan);

/// One end of a tunnel as its gateway reports it now.
struct EndState {
  bool known = false;        // the gateway answered with this tunnel
  bool up = false;           // CHILD_SA in use
  bool negotiating = false;  // an IKE_SA is being set up (CREATED / CONNECTING)
  bool has_ike_sa = false;   // an IKE_SA in any live state (established, rekeyed, negotiating)
};

/// True when the tunnel is down and, from the state its two ends are in, nobody will start
/// IKE again: it will not come back by itself (r.reason says why, r.fix what would change it).
bool stuck_now(const TunnelRecovery& r, const EndState& aws, const EndState& azure);

}  // namespace vpnlab::topology
