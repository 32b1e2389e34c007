#include "topology/drills/report_json.hpp"

namespace vpnlab::topology::drills {
namespace {

nlohmann::json event_json(const DrillEvent& e) {
  return {{"at_ms", e.at_ms}, {"node", e.node},           {"object", e.object},
          {"kind", e.kind},   {"mechanism", e.mechanism}, {"detail", e.detail}};
}

nlohmann::json loss_json(const DirectionLoss& d) {
  nlohmann::json j = {{"sent", d.sent},
                      {"lost", d.lost},
                      {"longest_gap_ms", d.longest_gap_ms},
                      {"lost_per_bucket", d.lost_per_bucket}};
  if (d.lost > 0) {
    j["first_lost_ms"] = d.first_lost_ms;
    j["last_lost_ms"] = d.last_lost_ms;
  }
  return j;
}

}  // namespace

nlohmann::json to_json(const DrillReport& r) {
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : r.events) events.push_back(event_json(e));
  nlohmann::json not_back = nlohmann::json::array();
  for (const auto& n : r.not_back) {
    not_back.push_back(
        {{"node", n.node}, {"object", n.object}, {"what", n.what}, {"last_error", n.last_error}});
  }
  nlohmann::json documented = nlohmann::json::array();
  for (const auto& f : r.documented) {
    nlohmann::json j = {{"cloud", f.cloud}, {"what", f.what}, {"source", f.source}};
    j["seconds"] = f.seconds >= 0 ? nlohmann::json(f.seconds) : nlohmann::json(nullptr);
    if (f.seconds >= 0) j["lab_seconds"] = f.seconds * r.time_factor;
    documented.push_back(j);
  }
  nlohmann::json recovery = {{"checked", r.recovery_checked}, {"recovered", r.recovered}};
  if (r.recovered) {
    recovery["after_fault_ms"] = r.recovered_ms;
    if (r.heal_ms >= 0) recovery["after_heal_ms"] = r.recovered_ms - r.heal_ms;
  }
  recovery["not_back"] = not_back;
  nlohmann::json j = {
      {"lab", r.lab},
      {"command", r.command},
      {"target", r.target},
      {"emulates", r.emulates},
      {"time_factor", r.time_factor},
      {"wait_s", r.wait_s},
      {"probes",
       {{"a", r.probe_a},
        {"b", r.probe_b},
        {"rate_pps", r.rate_pps},
        {"bucket_ms", r.bucket_ms},
        {"start_ms", r.stream_start_ms},
        {"end_ms", r.stream_end_ms},
        {"a_to_b", loss_json(r.a_to_b)},
        {"b_to_a", loss_json(r.b_to_a)}}},
      {"outage_ms", outage_ms(r)},
      {"events", events},
      {"detection", r.detection ? event_json(*r.detection) : nlohmann::json(nullptr)},
      {"recovery", recovery},
      {"documented", documented},
      {"notes", r.notes}};
  if (!r.impairment.empty()) j["impairment"] = r.impairment;
  if (r.hold_s >= 0) j["hold_s"] = r.hold_s;
  if (r.heal_ms >= 0) j["heal_ms"] = r.heal_ms;
  return j;
}

}  // namespace vpnlab::topology::drills
