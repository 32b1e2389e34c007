#pragma once
// What a drill measured (`vpnlab fail`, `vpnlab heal`): the fault, every change the
// gateways' status showed while it ran, what detected the fault and when, the probe
// stream's losses (per direction, per time bucket), whether and when every tunnel and BGP
// session was back, and the figures the clouds document for the same event.
//
// Times are milliseconds relative to the fault (negative: before it), measured on the
// steady clock of the process that ran the drill. Gateway state is read by polling each
// gateway's status over its control socket every 100 ms, so an event's time is when the
// poll first saw it (up to ~100 ms after it happened).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "topology/probe_stream.hpp"

namespace vpnlab::topology::drills {

/// A change seen in one gateway's status, or a step the drill took.
struct DrillEvent {
  double at_ms = 0;
  std::string node;       // the gateway that showed it ("" for the drill's own steps)
  std::string object;     // tunnel device, BGP neighbor address, or the node itself
  std::string kind;       // "fault", "heal", "tunnel down", "tunnel up", "bgp down", "bgp up",
                          // "gateway not answering", "gateway answering"
  std::string mechanism;  // for down events: what detected it ("DPD", "BGP hold timer", ...)
  std::string detail;     // the status' last error text, or what the step did
};

/// A figure (or a behaviour) one cloud documents for the same event, from shared/cloud-facts.md.
struct DocumentedFigure {
  std::string cloud;    // "AWS" | "Azure"
  std::string what;     // "DPD declares the peer dead after"
  double seconds = -1;  // -1: the cloud documents the behaviour but no figure
  std::string source;   // cloud-facts row and source tag
};

/// Losses of one direction of the probe stream.
struct DirectionLoss {
  std::uint64_t sent = 0, lost = 0;
  double first_lost_ms = 0, last_lost_ms = 0;  // relative to the fault; only when lost > 0
  double longest_gap_ms = 0;
  std::vector<std::uint32_t> lost_per_bucket;  // from the stream's start (DrillReport)
};

/// A tunnel or BGP session that was not back when the drill stopped waiting.
struct NotBack {
  std::string node, object, what;  // what: "tunnel DOWN", "BGP Idle", "gateway not answering"
  std::string last_error;
};

struct DrillReport {
  std::string lab, command;  // "fail" | "heal"
  std::string target;        // as given (crash:azure-gw0)
  std::string emulates;      // what the target does and which cloud fact it follows
  std::string impairment;    // Impairment::describe() for path targets
  double time_factor = 1;
  double hold_s = -1;  // --for (seconds the fault stayed), -1 without --for
  double wait_s = 0;   // the bound on each wait (detection, recovery), already scaled
  // The probe stream (VNet VM <-> VPC host).
  std::string probe_a, probe_b;  // "10.1.0.4 (vnet-vm)"
  int rate_pps = 0;
  int bucket_ms = 100;
  double stream_start_ms = 0;  // when the stream started, relative to the fault
  double stream_end_ms = 0;
  DirectionLoss a_to_b, b_to_a;
  std::vector<DrillEvent> events;
  std::optional<DrillEvent> detection;  // the first down event with a mechanism
  double heal_ms = -1;                  // when the fault was undone (-1: not in this run)
  bool recovery_checked = false;
  bool recovered = false;
  double recovered_ms = -1;  // relative to the fault, when every tunnel and session was back
  std::vector<NotBack> not_back;
  std::vector<DocumentedFigure> documented;
  std::vector<std::string> notes;
};

/// The outage: first to last lost probe over both directions, in ms; 0 when none was lost.
double outage_ms(const DrillReport& r);
/// One direction's losses, times shifted from the stream's start to the fault.
DirectionLoss direction_loss(const DirectionReport& d, double stream_start_ms);
/// The first event that names a detection mechanism at or after the fault.
std::optional<DrillEvent> first_detection(const std::vector<DrillEvent>& events);
/// The report as the drill prints it.
std::string render_text(const DrillReport& r);

}  // namespace vpnlab::topology::drills
