#include "topology/bench/bench_report.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace vpnlab::topology::bench {

namespace {

// Bytes and packets one tunnel carried in the case's direction, from one end's counters.
struct Carried {
  std::uint64_t bytes = 0, packets = 0;
  std::string seen_at, name;
};

Carried carried(const TunnelCount& t, bool vnet_to_vpc) {
  // The AWS end receives VNet -> VPC traffic; the Azure end sends it.
  bool rx = t.aws_side == vnet_to_vpc;
  return {rx ? t.rx_bytes : t.tx_bytes, rx ? t.rx_packets : t.tx_packets, t.node, t.name};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string direction(const BenchCase& c) {
  return c.vnet_to_vpc ? "VNet VM -> VPC host" : "VPC host -> VNet VM";
}

// "    aws0t1   ToAzureInstance0.tunnel1  1.22 Gbps  107.6 kpps 100.0 %   limit ...: held at 98 %
// of it"
std::string share_line(const TunnelShare& t) {
  char line[200];
  std::snprintf(line, sizeof line, "    %-9s %-25s %6.2f Gbps %8.1f kpps %5.1f %%",
                t.device.c_str(), t.name.c_str(), t.gbps, t.kpps, t.share * 100);
  std::string s = line;
  if (t.limit_gbps > 0 || t.limit_kpps > 0) {
    s += fmt("   limit %.2f Gbps", t.limit_gbps);
    if (t.limit_kpps > 0) s += fmt(" / %.0f kpps", t.limit_kpps);
    s += ": " + t.limit_verdict();
  }
  return s + "\n";
}

nlohmann::json share_json(const TunnelShare& t) {
  return {{"device", t.device},
          {"name", t.name},
          {"counted_at", t.seen_at},
          {"bytes", t.bytes},
          {"limit_gbps", t.limit_gbps},
          {"limit_kpps", t.limit_kpps},
          {"within_limit", t.within_limit()},
          {"limit_use", t.limit_use()},
          {"gbps", t.gbps},
          {"kpps", t.kpps},
          {"share", t.share}};
}

}  // namespace

std::string TunnelShare::limit_verdict() const {
  const double use = limit_use();
  const std::string pct = fmt("%.0f %% of it", use * 100);
  if (!within_limit()) return "EXCEEDED (" + pct + ")";
  return use >= 0.9 ? "held at " + pct : "not reached (" + pct + ")";
}

std::vector<TunnelShare> tunnel_shares(const SampleDelta& d, bool vnet_to_vpc, double seconds) {
  std::map<std::string, Carried> by_device;  // the AWS end's view wins over Azure's
  for (const auto& t : d.tunnels) {
    auto it = by_device.find(t.device);
    if (it == by_device.end() || t.aws_side) by_device[t.device] = carried(t, vnet_to_vpc);
  }
  std::uint64_t total = 0;
  for (const auto& [dev, c] : by_device) total += c.bytes;
  std::vector<TunnelShare> out;
  for (const auto& [dev, c] : by_device) {
    if (total == 0 || c.bytes * 100 < total) continue;  // under 1 %: not a path in use
    double s = seconds > 0 ? seconds : d.seconds > 0 ? d.seconds : 1;
    out.push_back({dev, c.name, c.seen_at, c.bytes, c.bytes * 8 / s / 1e9, c.packets / s / 1e3,
                   static_cast<double>(c.bytes) / static_cast<double>(total)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.share > b.share; });
  return out;
}

std::string render_text(const BenchReport& r) {
  std::string s = "vpnlab bench: lab " + r.lab + ", " + r.vm + " (VNet VM) <-> " + r.host +
                  " (VPC host), " + std::to_string(r.seconds) + " s per case\n";
  for (const auto& c : r.cases) {
    s += "\n" + c.title + ", " + direction(c) + ": ";
    if (!c.result) {
      s += "FAILED - " + c.error + "\n";
      continue;
    }
    const auto& res = *c.result;
    s += fmt("%.2f Gbps", res.bits_per_second / 1e9);
    if (c.iperf.udp) {
      s += fmt(", %.1f kpps received", res.packets_per_second() / 1e3);
      if (c.own_generator && c.iperf.seconds > 0) {
        s += fmt(" of %.1f kpps sent", static_cast<double>(res.packets) / c.iperf.seconds / 1e3);
      }
      s += fmt(" (%.1f %% lost)", res.packets ? 100.0 * res.lost_packets / res.packets : 0.0);
    } else {
      s += ", " + std::to_string(res.retransmits) + " retransmits";
    }
    s += "\n";
    if (!c.retried.empty()) s += "    (second attempt; the first: " + c.retried + ")\n";
    for (const auto& t : c.tunnels) s += share_line(t);
    for (const auto& a : c.aggregates) s += share_line(a);
    if (c.tunnels.empty()) s += "    (no tunnel counters moved)\n";
    std::string cpu;
    for (const auto& [node, v] : c.cpu_seconds_per_gb) cpu += "  " + node + fmt(" %.2f", v);
    if (!cpu.empty()) s += "    gateway CPU s/GB:" + cpu + "\n";
  }
  s += "\nThe clouds' documented limits (shared/cloud-facts.md): AWS " +
       fmt("%.2f Gbps", r.aws_per_tunnel.gbps) + " and " + std::to_string(r.aws_per_tunnel.pps) +
       " packets/s per tunnel (" + r.aws_per_tunnel.source + ")";
  if (r.azure_aggregate) {
    s += "; Azure " + r.azure_sku + fmt(" %.2f Gbps aggregate", r.azure_aggregate->gbps) + " (" +
         r.azure_aggregate->source + ")";
  }
  s += r.limits_emulated ? ".\nThis lab emulates them (lab.emulate_limits).\n"
                         : ".\nThis lab does not emulate them: figures above are the lab's own.\n";
  return s;
}

std::string render_json(const BenchReport& r) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json j = {{"title", c.title},
                        {"direction", c.vnet_to_vpc ? "vnet_to_vpc" : "vpc_to_vnet"},
                        {"protocol", c.iperf.udp ? "udp" : "tcp"},
                        {"streams", c.iperf.streams},
                        {"cpu_seconds_per_gb", c.cpu_seconds_per_gb}};
    if (c.limit_probe) j["limit_probe"] = true;
    j["generator"] = c.own_generator ? "vpnlab" : "iperf3";
    if (c.iperf.udp) j["offered_pps"] = c.iperf.udp_offered_pps;
    if (c.iperf.udp) j["udp_payload_bytes"] = c.iperf.udp_payload;
    if (c.result) {
      j["gbps"] = c.result->bits_per_second / 1e9;
      j["seconds"] = c.result->seconds;
      j["bytes"] = c.result->bytes;
      if (c.iperf.udp) {
        j["kpps_received"] = c.result->packets_per_second() / 1e3;
        j["lost_packets"] = c.result->lost_packets;
        j["packets"] = c.result->packets;
      } else {
        j["retransmits"] = c.result->retransmits;
      }
    } else {
      j["error"] = c.error;
    }
    if (!c.retried.empty()) j["retried"] = c.retried;
    nlohmann::json tunnels = nlohmann::json::array();
    for (const auto& t : c.tunnels) {
      tunnels.push_back(share_json(t));
    }
    j["tunnels"] = tunnels;
    nlohmann::json aggregates = nlohmann::json::array();
    for (const auto& a : c.aggregates) aggregates.push_back(share_json(a));
    j["azure_aggregates"] = aggregates;
    cases.push_back(j);
  }
  nlohmann::json limits = {{"aws_per_tunnel",
                            {{"gbps", r.aws_per_tunnel.gbps},
                             {"pps", r.aws_per_tunnel.pps},
                             {"source", r.aws_per_tunnel.source}}},
                           {"emulated", r.limits_emulated}};
  if (r.azure_aggregate) {
    limits["azure_aggregate"] = {{"sku", r.azure_sku},
                                 {"gbps", r.azure_aggregate->gbps},
                                 {"source", r.azure_aggregate->source}};
  }
  nlohmann::json doc = {{"lab", r.lab},         {"vnet_vm", r.vm},      {"vpc_host", r.host},
                        {"seconds", r.seconds}, {"streams", r.streams}, {"limits", limits},
                        {"cases", cases}};
  return doc.dump(2) + "\n";
}

}  // namespace vpnlab::topology::bench
