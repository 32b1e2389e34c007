#include "topology/drills/report.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace vpnlab::topology::drills {
namespace {

__attribute__((format(printf, 2, 3))) void add(std::string& out, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  out += buf;
}

void render_events(std::string& out, const DrillReport& r) {
  out += "  timeline (ms after the fault; gateways polled every 100 ms):\n";
  for (const auto& e : r.events) {
    std::string what = e.kind + (e.object.empty() ? "" : " " + e.object);
    std::string why = e.mechanism.empty() ? e.detail
                      : e.detail.empty()  ? e.mechanism
                                          : e.mechanism + ": " + e.detail;
    add(out, "    %9.0f  %-10s %-28s %s\n", e.at_ms, e.node.empty() ? "drill" : e.node.c_str(),
        what.c_str(), why.c_str());
  }
}

void render_loss(std::string& out, const DrillReport& r) {
  double outage = outage_ms(r);
  if (r.a_to_b.lost + r.b_to_a.lost == 0) {
    out += "  outage:   none (no probe lost)\n";
  } else {
    double first = std::min(r.a_to_b.lost ? r.a_to_b.first_lost_ms : 1e18,
                            r.b_to_a.lost ? r.b_to_a.first_lost_ms : 1e18);
    add(out, "  outage:   %.0f ms (first lost probe sent %.0f ms after the fault, last %.0f ms)\n",
        outage, first, first + outage);
  }
  for (auto [name, d] : {std::pair{r.probe_a + " -> " + r.probe_b, &r.a_to_b},
                         std::pair{r.probe_b + " -> " + r.probe_a, &r.b_to_a}}) {
    add(out, "    %-40s %llu of %llu lost", name.c_str(), static_cast<unsigned long long>(d->lost),
        static_cast<unsigned long long>(d->sent));
    if (d->lost)
      add(out, " (%.0f to %.0f ms, longest gap %.0f ms)", d->first_lost_ms, d->last_lost_ms,
          d->longest_gap_ms);
    out += "\n";
  }
}

void render_recovery(std::string& out, const DrillReport& r) {
  if (!r.recovery_checked) {
    out += "  recovery: not measured (the fault stays until `vpnlab heal`)\n";
    return;
  }
  if (r.recovered) {
    add(out, "  recovery: every tunnel and BGP session back %.0f ms after the fault",
        r.recovered_ms);
    if (r.heal_ms >= 0) add(out, " (%.0f ms after the heal)", r.recovered_ms - r.heal_ms);
    out += "\n";
    return;
  }
  add(out, "  recovery: NOT back within %.1f s%s; still down:\n", r.wait_s,
      r.heal_ms >= 0 ? " after the heal" : "");
  for (const auto& n : r.not_back) {
    add(out, "    %-10s %-14s %s%s%s\n", n.node.c_str(), n.object.c_str(), n.what.c_str(),
        n.last_error.empty() ? "" : " - ", n.last_error.c_str());
  }
}

void render_documented(std::string& out, const DrillReport& r) {
  if (r.documented.empty()) return;
  add(out, "  documented by the clouds (cloud time%s):\n",
      r.time_factor != 1 ? "; this lab runs its timers at the time factor" : "");
  for (const auto& f : r.documented) {
    std::string value = "no figure";
    if (f.seconds >= 0) {
      char buf[64];
      if (r.time_factor != 1)
        std::snprintf(buf, sizeof buf, "%g s (%.1f s here)", f.seconds, f.seconds * r.time_factor);
      else
        std::snprintf(buf, sizeof buf, "%g s", f.seconds);
      value = buf;
    }
    add(out, "    %-6s %s: %s\n           cloud-facts %s\n", f.cloud.c_str(), f.what.c_str(),
        value.c_str(), f.source.c_str());
  }
}

}  // namespace

double outage_ms(const DrillReport& r) {
  double first = 1e18, last = -1e18;
  for (const DirectionLoss* d : {&r.a_to_b, &r.b_to_a}) {
    if (d->lost == 0) continue;
    first = std::min(first, d->first_lost_ms);
    last = std::max(last, d->last_lost_ms);
  }
  return last < first ? 0 : last - first;
}

DirectionLoss direction_loss(const DirectionReport& d, double stream_start_ms) {
  DirectionLoss l;
  l.sent = d.sent;
  l.lost = d.lost;
  l.longest_gap_ms = d.longest_gap_ms;
  if (d.lost > 0 && d.first_lost_ms >= 0) {
    l.first_lost_ms = d.first_lost_ms + stream_start_ms;
    l.last_lost_ms = d.last_lost_ms + stream_start_ms;
  }
  l.lost_per_bucket = d.lost_per_bucket;
  return l;
}

std::optional<DrillEvent> first_detection(const std::vector<DrillEvent>& events) {
  for (const auto& e : events) {
    if (e.at_ms >= 0 && !e.mechanism.empty() && !e.node.empty()) return e;
  }
  return std::nullopt;
}

std::string render_text(const DrillReport& r) {
  std::string out;
  add(out, "vpnlab %s %s on lab %s\n", r.command.c_str(), r.target.c_str(), r.lab.c_str());
  if (!r.emulates.empty()) add(out, "  emulates: %s\n", r.emulates.c_str());
  if (!r.impairment.empty()) add(out, "  path:     %s\n", r.impairment.c_str());
  if (r.time_factor != 1) {
    add(out,
        "  time:     lab time factor %g: every protocol timer runs at %g x the cloud's; the "
        "waits (%.1f s) are scaled alike\n",
        r.time_factor, r.time_factor, r.wait_s);
  } else {
    add(out, "  time:     the clouds' own timers (time factor 1); waits bounded by %.1f s\n",
        r.wait_s);
  }
  if (r.hold_s >= 0) add(out, "  held:     %.1f s, then healed\n", r.hold_s);
  add(out, "  probes:   %s <-> %s, %d pps each way, from %.0f to %.0f ms\n", r.probe_a.c_str(),
      r.probe_b.c_str(), r.rate_pps, r.stream_start_ms, r.stream_end_ms);
  render_events(out, r);
  if (r.detection) {
    add(out, "  detected: %.0f ms after the fault by %s (%s, %s)\n", r.detection->at_ms,
        r.detection->mechanism.c_str(), r.detection->node.c_str(), r.detection->object.c_str());
  } else if (r.command == "fail") {
    out += "  detected: nothing went down (no tunnel or BGP session left its state)\n";
  }
  render_loss(out, r);
  render_recovery(out, r);
  render_documented(out, r);
  for (const auto& n : r.notes) add(out, "  note: %s\n", n.c_str());
  return out;
}

}  // namespace vpnlab::topology::drills
