// The IKE part of a tunnel's status: every IKE_SA and CHILD_SA with its state, algorithms,
// SPIs, established time, rekey countdowns and traffic (issue: "Daemon and status"; the
// fields `swanctl --list-sas` shows). Never keys or the PSK: only SPIs and suite names.

#include <set>

#include "topology/gateway/gateway.hpp"
#include "topology/gateway/status_format.hpp"

namespace vpnlab::topology {
namespace {

const char* child_state_name(ike::ChildState s) {
  switch (s) {
    case ike::ChildState::installed:
      return "INSTALLED";
    case ike::ChildState::rekeying:
      return "REKEYING";
    case ike::ChildState::rekeyed:
      return "REKEYED";
    case ike::ChildState::deleting:
      return "DELETING";
  }
  return "?";
}

// Seconds until a daemon timer fires, or null when it is not armed (e.g. a rekeyed SA).
nlohmann::json ts_strings(const std::vector<ike::TrafficSelector>& ts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : ts) out.push_back(t.to_string());
  return out;
}

nlohmann::json seconds_until(std::optional<boost::asio::steady_timer::time_point> due) {
  if (!due) return nullptr;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(
      *due - boost::asio::steady_timer::clock_type::now());
  return std::max<std::int64_t>(0, left.count());
}

// Every esp::DropReason with its count, zeros included, so a reader sees which reasons the
// SA can count (issue 11: "each SA's drops by reason").
nlohmann::json drops_json(const dataplane::SaCounters& c) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < esp::kDropReasonCount; ++i) {
    j[std::string(esp::to_string(static_cast<esp::DropReason>(i)))] = c.drops[i];
  }
  return j;
}

}  // namespace

// ike/ keeps no wall clock (its state machines run on injected durations), so the gateway
// notes when it first sees each SA established. refresh_ike_tunnels() runs on every IKE
// event, which is when SAs get established, so the time is exact to the event.
void Gateway::note_established_sas() {
  auto now = std::chrono::system_clock::now();
  std::map<std::uint64_t, std::chrono::system_clock::time_point> ike_seen;
  std::map<std::uint32_t, std::chrono::system_clock::time_point> child_seen;
  std::set<std::uint64_t> alive;
  for (const auto& t : plan_.tunnels) {
    for (ike::IkeSa* sa : ike_->sas_for(t.device)) {
      alive.insert(sa->local_spi().value);
      keys_->ike_seen(t.device, *sa);
      for (const auto& c : sa->children()) keys_->pair(c.inbound, c.outbound);
      if (sa->state() != ike::IkeState::established) continue;
      TunnelState& st = tunnels_[t.device];
      auto known = ike_established_.find(sa->local_spi().value);
      ike_seen[sa->local_spi().value] = known == ike_established_.end() ? now : known->second;
      if (known == ike_established_.end()) ++st.ike_sas_established;
      for (const auto& c : sa->children()) {
        auto k = child_established_.find(c.inbound.value);
        child_seen[c.inbound.value] = k == child_established_.end() ? now : k->second;
        if (k == child_established_.end()) ++st.child_sas_established;
      }
    }
  }
  keys_->ike_alive(alive);
  // Swapping in only what exists forgets deleted SAs.
  ike_established_.swap(ike_seen);
  child_established_.swap(child_seen);
}

nlohmann::json Gateway::child_status(ike::IkeSpi owner, const ike::ChildSa& c) const {
  nlohmann::json j = {{"state", child_state_name(c.state)},
                      {"spi_in", hex_spi(c.inbound)},
                      {"spi_out", hex_spi(c.outbound)},
                      {"suite", ike::to_string(c.suite)},
                      {"outbound_active", c.outbound_active},
                      {"local_ts", ts_strings(c.local_ts)},
                      {"remote_ts", ts_strings(c.remote_ts)},
                      {"rekey_in_s", seconds_until(ike_daemon_->timer_due(
                                         owner, ike::TimerKind::child_rekey, c.inbound.value))},
                      {"established", nullptr}};
  if (auto it = child_established_.find(c.inbound.value); it != child_established_.end()) {
    j["established"] = utc(it->second);
  }
  auto in = engine_->counters(dataplane::SaDirection::inbound, c.inbound);
  auto out = engine_->counters(dataplane::SaDirection::outbound, c.outbound);
  if (in)
    j["in"] = {{"bytes", in->bytes},
               {"packets", in->packets},
               {"auth_failures", in->auth_failures},
               {"replay_drops", in->replay_drops},
               {"drops", drops_json(*in)}};
  if (out)
    j["out"] = {{"bytes", out->bytes}, {"packets", out->packets}, {"drops", drops_json(*out)}};
  return j;
}

nlohmann::json Gateway::ike_status(const TunnelPlan& t) const {
  nlohmann::json sas = nlohmann::json::array();
  if (!ike_) return sas;
  for (ike::IkeSa* sa : ike_->sas_for(t.device)) {
    char spis[64];
    std::snprintf(spis, sizeof spis, "%016llx/%016llx",
                  static_cast<unsigned long long>(sa->spi_i().value),
                  static_cast<unsigned long long>(sa->spi_r().value));
    nlohmann::json children = nlohmann::json::array();
    for (const auto& c : sa->children()) children.push_back(child_status(sa->local_spi(), c));
    nlohmann::json j = {
        {"state", std::string(ike::to_string(sa->state()))},
        {"role", sa->is_initiator() ? "initiator" : "responder"},
        {"spis", spis},
        {"suite", sa->suite() ? ike::to_string(*sa->suite()) : ""},
        {"remote", sa->remote().address.to_string() + ":" + std::to_string(sa->remote().port)},
        {"rekey_in_s",
         seconds_until(ike_daemon_->timer_due(sa->local_spi(), ike::TimerKind::ike_rekey))},
        {"established", nullptr},
        {"child_sas", children}};
    if (auto it = ike_established_.find(sa->local_spi().value); it != ike_established_.end()) {
      j["established"] = utc(it->second);
    }
    sas.push_back(std::move(j));
  }
  return sas;
}

}  // namespace vpnlab::topology
