#include "cli/sas_text.hpp"

#include <cstdio>

#include "topology/status_lines.hpp"

namespace vpnlab::cli {
namespace {

using nlohmann::json;

std::string countdown(const json& seconds) {
  if (!seconds.is_number()) return "-";
  return std::to_string(seconds.get<std::int64_t>()) + " s";
}

std::string traffic(const json& child, const char* dir) {
  if (!child.contains(dir)) return "-";
  const json& c = child[dir];
  return std::to_string(c.value("bytes", 0ULL)) + " bytes, " +
         std::to_string(c.value("packets", 0ULL)) + " packets";
}

void render_child(std::string& out, const json& c) {
  char line[512];
  std::snprintf(line, sizeof line,
                "      CHILD_SA %s %s  in %s  out %s%s\n"
                "        established %s, rekeying in %s\n"
                "        in  %s (%s)\n"
                "        out %s (%s)\n",
                c.value("state", "").c_str(), c.value("suite", "").c_str(),
                c.value("spi_in", "").c_str(), c.value("spi_out", "").c_str(),
                c.value("outbound_active", false) ? "" : "  (outbound not in use)",
                c["established"].is_string() ? c["established"].get<std::string>().c_str() : "-",
                countdown(c["rekey_in_s"]).c_str(), traffic(c, "in").c_str(),
                topology::sa_drops_text(c.value("in", nlohmann::json()), true).c_str(),
                traffic(c, "out").c_str(),
                topology::sa_drops_text(c.value("out", nlohmann::json()), false).c_str());
  out += line;
}

void render_tunnel(std::string& out, const json& t, const json& recovery) {
  out += "  " + t.value("name", "") + " (" + t.value("device", "") + ") " +
         t.value("outside_local", "") + " <-> " + t.value("outside_remote", "") + "  " +
         t.value("status", "") + "\n";
  if (!t.value("last_error", "").empty())
    out += "    last error: " + t["last_error"].get<std::string>() + "\n";
  out += recovery_note(recovery, "device", t.value("device", ""), "    ");
  // Every drop on this tunnel since the gateway started, over all its SAs: the dataplane's
  // own reasons (no outbound SA, send failed, ...) and esp/'s.
  out +=
      "    tunnel drops: " + topology::counter_drops_text(t.value("counters", nlohmann::json())) +
      "\n";
  if (t.contains("child_sa")) {  // manual keying: one fixed pair, no IKE
    const json& c = t["child_sa"];
    out += "    manual keys: " + c.value("suite", "") + "  in " + c.value("spi_in", "") + "  out " +
           c.value("spi_out", "") + "\n";
  }
  if (!t.contains("ike_sas")) return;
  if (t["ike_sas"].empty()) out += "    no IKE_SA\n";
  for (const auto& sa : t["ike_sas"]) {
    char line[512];
    std::snprintf(
        line, sizeof line,
        "    IKE_SA %s %s  SPIs %s  %s\n"
        "      peer %s, established %s, rekeying in %s\n",
        sa.value("state", "").c_str(), sa.value("role", "").c_str(), sa.value("spis", "").c_str(),
        sa.value("suite", "").c_str(), sa.value("remote", "").c_str(),
        sa["established"].is_string() ? sa["established"].get<std::string>().c_str() : "-",
        countdown(sa["rekey_in_s"]).c_str());
    out += line;
    for (const auto& c : sa.value("child_sas", json::array())) render_child(out, c);
  }
}

}  // namespace

std::string recovery_note(const json& recovery, const std::string& key, const std::string& value,
                          const std::string& indent) {
  for (const auto& r : recovery) {
    if (r.value(key, "") != value || r.value("will_come_back", true)) continue;
    return indent + "will not come back by itself: " + r.value("reason", "") + "\n" + indent +
           "to change that: " + r.value("fix", "") + "\n";
  }
  return "";
}

std::string render_sas(const json& gateways, const json& recovery) {
  std::string out;
  for (const auto& [node, gw] : gateways.items()) {
    if (!gw.is_object() || !gw.contains("tunnels")) {
      out += node + ": not answering on its control socket\n";
      continue;
    }
    char head[256];
    std::snprintf(head, sizeof head, "%s (%s, %s, time factor %g)\n", node.c_str(),
                  gw.value("display_name", "").c_str(), gw.value("cloud", "").c_str(),
                  gw.value("time_factor", 1.0));
    out += head;
    // Packets dropped before an SA is found (short, unknown SPI, IKE queue full).
    const nlohmann::json counters = gw.value("counters", nlohmann::json());
    if (counters.is_object() && counters.contains("dataplane"))
      out +=
          "  drops before the SPI lookup: " + topology::counter_drops_text(counters["dataplane"]) +
          "\n";
    for (const auto& t : gw["tunnels"]) render_tunnel(out, t, recovery);
  }
  return out;
}

}  // namespace vpnlab::cli
