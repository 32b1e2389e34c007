#include "topology/bench/lab_sample.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "topology/nodes/real_node.hpp"

namespace vpnlab::topology::bench {

double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Field 2 (comm) may hold spaces: count fields after its closing parenthesis. utime and
  // stime are fields 14 and 15 (proc(5)), i.e. the 12th and 13th after ')'.
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 1));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 1; i <= 13 && fields >> f; ++i) {
    if (i == 12) utime = std::stoull(f);
    if (i == 13) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {
std::uint64_t counter(const nlohmann::json& counters, const char* name) {
  return counters.is_object() ? counters.value(name, std::uint64_t{0}) : 0;
}
}  // namespace

LabSample sample_lab(const LabPlan& plan, const RunPaths& paths) {
  LabSample s;
  s.at = std::chrono::steady_clock::now();
  for (const auto& g : plan.gateways) {
    if (nodes::is_real(g)) continue;
    if (int pid = running_gateway_pid(paths, g.node))
      s.cpu_seconds[g.node] = process_cpu_seconds(pid);
    const auto reply = nodes::gateway_status(g, paths);
    if (!reply.is_object() || !reply.contains("tunnels")) {
      s.errors.push_back(g.node +
                         (reply.is_object() ? ": no tunnels in status" : ": not answering"));
      continue;
    }
    for (const auto& t : reply["tunnels"]) {
      const auto& c = t.contains("counters") ? t["counters"] : nlohmann::json();
      s.tunnels.push_back({g.node, t.value("device", ""), t.value("name", ""),
                           g.cloud == Cloud::aws, counter(c, "dp.tx.bytes"),
                           counter(c, "dp.tx.packets"), counter(c, "dp.rx.bytes"),
                           counter(c, "dp.rx.packets")});
    }
  }
  return s;
}

SampleDelta operator-(const LabSample& later, const LabSample& earlier) {
  SampleDelta d;
  d.seconds = std::chrono::duration<double>(later.at - earlier.at).count();
  for (const auto& t : later.tunnels) {
    TunnelCount out = t;
    for (const auto& e : earlier.tunnels) {
      if (e.node != t.node || e.device != t.device) continue;
      // A gateway restarted in between starts its counters at 0: count from there.
      auto minus = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : a; };
      out.tx_bytes = minus(t.tx_bytes, e.tx_bytes);
      out.tx_packets = minus(t.tx_packets, e.tx_packets);
      out.rx_bytes = minus(t.rx_bytes, e.rx_bytes);
      out.rx_packets = minus(t.rx_packets, e.rx_packets);
    }
    d.tunnels.push_back(out);
  }
  for (const auto& [node, cpu] : later.cpu_seconds) {
    auto e = earlier.cpu_seconds.find(node);
    d.cpu_seconds[node] = e == earlier.cpu_seconds.end() || e->second > cpu ? cpu : cpu - e->second;
  }
  return d;
}

}  // namespace vpnlab::topology::bench
