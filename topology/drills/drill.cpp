#include "topology/drills/drill.hpp"

#include <algorithm>
#include <functional>
#include <future>
#include <thread>

#include "base/errors.hpp"
#include "topology/drills/event_watcher.hpp"
#include "topology/drills/fault_record.hpp"
#include "topology/drills/faults.hpp"
#include "topology/gateway/status_format.hpp"
#include "topology/probe_stream.hpp"

namespace vpnlab::topology::drills {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string netns_of(const LabPlan& plan, const std::string& role) {
  for (const auto& n : plan.underlay.nodes) {
    if (n.role == role) return n.netns;
  }
  return plan.underlay.lab + "-" + role;
}

// The stream and its endpoints' names, started before the fault so the timeline shows the
// traffic that was flowing.
struct Probes {
  std::unique_ptr<ProbeStream> stream;
  ProbeOptions options;
};

Checked<Probes> start_probes(const DrillContext& ctx, const DrillOptions& opt, DrillReport& r) {
  Probes p;
  p.options.rate_pps = opt.rate_pps;
  p.options.bucket = std::chrono::milliseconds(r.bucket_ms);
  ProbeEndpoint a{netns_of(ctx.plan, "vnet-vm"), ctx.plan.addresses.vm, 47100};
  ProbeEndpoint b{netns_of(ctx.plan, "vpc-host"), ctx.plan.addresses.vpc_host, 47100};
  auto s = ProbeStream::start(a, b, p.options);
  if (!s) return Unexpected{s.error()};
  p.stream = std::move(*s);
  r.probe_a = a.address.to_string() + " (vnet-vm)";
  r.probe_b = b.address.to_string() + " (vpc-host)";
  r.rate_pps = opt.rate_pps;
  return p;
}

void finish_probes(Probes& p, const EventWatcher& w, DrillReport& r) {
  auto started = p.stream->started();
  ProbeReport pr = p.stream->stop();
  r.stream_start_ms = w.ms_since_origin(started);
  r.stream_end_ms = w.ms_since_origin(Clock::now()) - static_cast<double>(p.options.drain.count());
  r.a_to_b = direction_loss(pr.a_to_b, r.stream_start_ms);
  r.b_to_a = direction_loss(pr.b_to_a, r.stream_start_ms);
}

DrillReport new_report(const DrillContext& ctx, const DrillOptions& opt, const char* command) {
  DrillReport r;
  r.lab = ctx.lab.lab.name;
  r.command = command;
  r.time_factor = ctx.lab.lab.time_factor;
  r.wait_s = opt.wait_s > 0 ? opt.wait_s : default_wait_s(r.time_factor);
  return r;
}

// Watch until every tunnel and BGP session is back, then record how long it took or what
// is still down.
void await_recovery(EventWatcher& w, DrillReport& r, double from_ms) {
  r.recovery_checked = true;
  r.recovered = w.watch_until(all_back, from_ms + r.wait_s * 1000);
  if (r.recovered) {
    r.recovered_ms = w.ms_since_origin();
  } else {
    r.not_back = not_back(w.state());
  }
}

void finish(EventWatcher& w, Probes& p, DrillReport& r) {
  // A second of traffic after the end, so the timeline shows it flowing again.
  w.watch_until({}, w.ms_since_origin() + 1000);
  finish_probes(p, w, r);
  r.events = w.events();
  if (r.command == "fail") r.detection = first_detection(r.events);
}

// Runs a fault step (signals, a graceful shutdown, a restart) in its own thread while the
// watcher keeps polling, so what the gateways do during a slow step is timed as it happens.
Checked<std::string> while_watching(EventWatcher& w,
                                    const std::function<Checked<std::string>()>& step) {
  auto done = std::async(std::launch::async, step);
  w.watch_until([&done](const LabState&) { return done.wait_for(0s) == std::future_status::ready; },
                1e12);
  return done.get();
}

bool same_fault(const ActiveFault& f, const Target& t) {
  if (f.target.kind == FaultKind::path_impairment && t.kind == FaultKind::path_impairment)
    return true;  // one impairment at a time: they share the router's ports
  return f.target.node == t.node && f.target.device == t.device;
}

}  // namespace

double default_wait_s(double time_factor) {
  return std::max(5.0, 90.0 * time_factor);
}

Checked<DrillReport> run_fail(const DrillContext& ctx, const DrillOptions& opt) {
  auto target = parse_target(opt.target, ctx.plan);
  if (!target) return Unexpected{target.error()};
  auto active = load_faults(ctx.paths, ctx.plan);
  if (!active) return Unexpected{active.error()};
  for (const auto& f : *active) {
    if (same_fault(f, *target)) {
      return fail(make_error_code(errc::already_exists), "fault " + f.target.spec +
                                                             " is still in place (since " +
                                                             f.since + "): vpnlab heal first");
    }
  }
  DrillReport r = new_report(ctx, opt, "fail");
  r.target = target->spec;
  r.emulates = emulates(*target);
  r.hold_s = opt.hold_s;
  r.documented = documented_figures(*target, opt.impairment.down);
  if (target->kind == FaultKind::path_impairment) r.impairment = opt.impairment.describe();
  FaultContext fc{ctx.plan, ctx.paths, ctx.exe};
  ActiveFault fault{*target, opt.impairment, 0, utc(std::chrono::system_clock::now())};

  auto probes = start_probes(ctx, opt, r);
  if (!probes) return Unexpected{probes.error()};
  EventWatcher w(ctx.plan, ctx.paths);
  w.baseline();
  w.set_origin(Clock::now() + 1s);
  w.watch_until({}, 0);  // a second of traffic before the fault
  w.set_origin(Clock::now());
  if (target->kind == FaultKind::gateway_hang) w.skip(target->node, true);
  auto done = while_watching(w, [&] { return apply_fault(fc, fault); });
  if (!done) {
    probes->stream->stop();
    return Unexpected{done.error()};
  }
  w.note("fault", *done, 0);

  if (heals_itself(target->kind)) {
    if (opt.hold_s >= 0) r.notes.push_back("--for ignored: this fault heals itself");
    // Seen going down, then back: the FSM re-establishes the session by itself.
    w.watch_until([&w](const LabState&) { return first_detection(w.events()).has_value(); },
                  r.wait_s * 1000);
    await_recovery(w, r, 0);
  } else if (opt.hold_s >= 0) {
    w.watch_until({}, opt.hold_s * 1000);
    r.heal_ms = w.ms_since_origin();
    auto undone = while_watching(w, [&] { return undo_fault(fc, fault); });
    w.skip(target->node, false);
    if (!undone) {
      probes->stream->stop();
      return Unexpected{undone.error()};
    }
    w.note("heal", *undone, r.heal_ms);
    await_recovery(w, r, r.heal_ms);
  } else {
    w.watch_until([&w](const LabState&) { return first_detection(w.events()).has_value(); },
                  r.wait_s * 1000);
    active->push_back(fault);
    if (auto rc = save_faults(ctx.paths, *active); !rc) r.notes.push_back(rc.error().message);
    r.notes.push_back("the fault stays in place: `vpnlab heal " + target->spec + "` undoes it");
  }
  finish(w, *probes, r);
  if (target->kind == FaultKind::gateway_hang && opt.hold_s < 0) {
    r.notes.push_back(target->node + " stays stopped; its status cannot be read until the heal");
  }
  return r;
}

Checked<DrillReport> run_heal(const DrillContext& ctx, const DrillOptions& opt) {
  auto active = load_faults(ctx.paths, ctx.plan);
  if (!active) return Unexpected{active.error()};
  std::vector<ActiveFault> heal, keep;
  for (const auto& f : *active) {
    bool match = opt.target.empty() || f.target.spec == opt.target || f.target.node == opt.target ||
                 f.target.device == opt.target;
    (match ? heal : keep).push_back(f);
  }
  if (heal.empty()) {
    return fail(make_error_code(errc::not_found),
                opt.target.empty() ? "no fault in place on lab " + ctx.lab.lab.name
                                   : "no fault in place matches '" + opt.target + "'");
  }
  DrillReport r = new_report(ctx, opt, "heal");
  for (const auto& f : heal) r.target += (r.target.empty() ? "" : " ") + f.target.spec;
  FaultContext fc{ctx.plan, ctx.paths, ctx.exe};
  auto probes = start_probes(ctx, opt, r);
  if (!probes) return Unexpected{probes.error()};
  EventWatcher w(ctx.plan, ctx.paths);
  for (const auto& f : heal) {
    if (f.target.kind == FaultKind::gateway_hang) w.skip(f.target.node, true);
  }
  w.baseline();
  w.set_origin(Clock::now() + 1s);
  w.watch_until({}, 0);
  w.set_origin(Clock::now());
  r.heal_ms = 0;
  for (const auto& f : heal) {
    double at = w.ms_since_origin();
    auto undone = while_watching(w, [&] { return undo_fault(fc, f); });
    w.skip(f.target.node, false);
    if (!undone) {
      keep.push_back(f);
      r.notes.push_back(f.target.spec + ": " + undone.error().message);
      continue;
    }
    w.note("heal", f.target.spec + ": " + *undone, at);
  }
  if (auto rc = save_faults(ctx.paths, keep); !rc) r.notes.push_back(rc.error().message);
  await_recovery(w, r, 0);
  finish(w, *probes, r);
  return r;
}

}  // namespace vpnlab::topology::drills
