#include "topology/status_lines.hpp"

#include <string_view>

namespace vpnlab::topology {
namespace {

using nlohmann::json;

std::uint64_t count_of(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_integer()) return 0;
  return obj[key].get<std::uint64_t>();
}

std::string join_counts(const std::string& a, const std::string& name, std::uint64_t n) {
  return (a.empty() ? "" : a + ", ") + name + " " + std::to_string(n);
}

}  // namespace

std::string bgp_last_error_text(const json& peer) {
  if (!peer.is_object()) return "";
  const json d = peer.value("lastErrorDetail", json());
  if (!d.is_object()) {
    const json e = peer.value("lastError", json());
    return e.is_string() ? e.get<std::string>() : "";
  }
  // RFC 4271 §4.5 / RFC 4486: the code/subcode names; the reason is ours when we sent it.
  std::string out = d.value("name", d.value("codeName", "?") + "/" + d.value("subcodeName", "?"));
  if (!d.value("reason", "").empty()) out += ": " + d.value("reason", "");
  out += " (" + d.value("direction", "?");
  if (!d.value("dataText", "").empty()) out += "; " + d.value("dataText", "");
  return out + ")";
}

std::string sa_drops_text(const json& direction, bool inbound) {
  std::uint64_t total = 0;
  std::string listed;
  if (!direction.is_object()) return "dropped ?";
  const json drops = direction.value("drops", json());
  if (!drops.is_object()) {  // a real node: only what it reports
    std::uint64_t auth = count_of(direction, "auth_failures");
    std::uint64_t replay = count_of(direction, "replay_drops");
    if (!inbound) return "dropped ?";
    return "dropped " + std::to_string(auth + replay) + ": auth_failed " + std::to_string(auth) +
           ", replay " + std::to_string(replay);
  }
  // The two that tell a wrong key or a replaying path come first, zeros included.
  if (inbound) {
    listed = join_counts(listed, "auth_failed", count_of(drops, "auth_failed"));
    listed = join_counts(listed, "replay", count_of(drops, "replay"));
  }
  for (const auto& [reason, value] : drops.items()) {
    std::uint64_t n = value.is_number_integer() ? value.get<std::uint64_t>() : 0;
    total += n;
    bool shown = inbound && (reason == "auth_failed" || reason == "replay");
    if (n != 0 && !shown) listed = join_counts(listed, reason, n);
  }
  return "dropped " + std::to_string(total) + (listed.empty() ? "" : ": " + listed);
}

std::string counter_drops_text(const json& counters) {
  std::string out;
  if (!counters.is_object()) return "none";
  for (const auto& [key, value] : counters.items()) {
    // "dp.<rx|tx>.drop.<reason>" (dataplane/core/counters.hpp to_map).
    std::string_view k = key;
    if (k.size() < 12 || k.substr(0, 3) != "dp." || k.substr(5, 6) != ".drop.") continue;
    if (!value.is_number_integer() || value.get<std::uint64_t>() == 0) continue;
    out = join_counts(out, std::string(k.substr(3, 2)) + " " + std::string(k.substr(11)),
                      value.get<std::uint64_t>());
  }
  return out.empty() ? "none" : out;
}

}  // namespace vpnlab::topology
