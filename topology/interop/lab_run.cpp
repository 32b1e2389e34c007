#include "topology/interop/lab_run.hpp"

#include <signal.h>

#include "topology/nodes/strongswan.hpp"
#include "topology/supervisor.hpp"

namespace vpnlab::topology::interop {
namespace {

const nlohmann::json kEmpty = nlohmann::json::array();

const nlohmann::json& arr(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : kEmpty;
}

}  // namespace

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

LabRun::LabRun(std::string exe, std::string file, std::string name, bool keep)
    : exe_(std::move(exe)), file_(std::move(file)), name_(std::move(name)), keep_(keep) {}

LabRun::~LabRun() {
  if (!keep_) vpnlab({"down", file_});
}

ProcessResult LabRun::vpnlab(std::vector<std::string> args) {
  args.insert(args.begin(), exe_);
  return run_process(args);
}

ProcessResult LabRun::up(double wait_seconds) {
  if (wait_seconds <= 0) return vpnlab({"up", file_});
  return vpnlab({"up", file_, "--wait", std::to_string(wait_seconds)});
}

ProcessResult LabRun::validate() {
  return vpnlab({"validate", file_});
}

ProcessResult LabRun::tunnel(const std::string& action, const std::string& device) {
  return vpnlab({"tunnel", action, device, file_});
}

ProcessResult LabRun::rekey(const std::string& device, const std::string& cloud, bool ike_sa) {
  return vpnlab({"tunnel", ike_sa ? "rekey-ike" : "rekey", device, file_, "--from", cloud});
}

nlohmann::json LabRun::status() {
  ProcessResult r = vpnlab({"status", file_, "--json"});
  nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

std::map<std::string, std::string> LabRun::sa_ids(bool ike_sa) {
  std::map<std::string, std::string> out;
  nlohmann::json s = status();
  if (!s.contains("gateways")) return out;
  for (const auto& [node, gw] : s["gateways"].items()) {
    // vpnlab's own gateways answer with their start time; their SA view is the reference.
    if (!gw.is_object() || !gw.contains("started")) continue;
    for (const auto& t : arr(gw, "tunnels")) {
      for (const auto& sa : arr(t, "ike_sas")) {
        if (sa.value("state", "") != "ESTABLISHED") continue;
        // Both ends' views of the tunnel, so a rekey shows whichever end reports first.
        std::string& id = out[t.value("device", "")];
        if (ike_sa) id += node + ":" + sa.value("spis", "") + " ";
        for (const auto& c : arr(sa, "child_sas")) {
          if (!ike_sa && c.value("outbound_active", false))
            id += node + ":" + c.value("spi_in", "") + " ";
        }
      }
    }
  }
  return out;
}

bool LabRun::aws_tunnel_withdrawn(const std::string& device) {
  nlohmann::json s = status();
  std::string outside;
  const nlohmann::json aws = s["gateways"].value("aws-vgw", nlohmann::json());
  for (const auto& t : arr(aws, "tunnels")) {
    if (t.value("device", "") == device) outside = t.value("outside_local", "");
  }
  if (outside.empty()) return false;
  for (const auto& v : arr(s["aws"], "VpnConnections")) {
    for (const auto& t : arr(v, "VgwTelemetry")) {
      if (t.value("OutsideIpAddress", "") != outside) continue;
      return t.value("Status", "") == "DOWN" && t.value("AcceptedRouteCount", 1) == 0;
    }
  }
  return false;
}

std::uint64_t LabRun::ike_counter(const std::string& name) {
  nlohmann::json s = status();
  std::uint64_t sum = 0;
  if (!s.contains("gateways")) return sum;
  for (const auto& [node, gw] : s["gateways"].items()) {
    if (!gw.is_object() || !gw.contains("started") || !gw["counters"].is_object()) continue;
    sum += gw["counters"].value("ike", nlohmann::json::object()).value(name, std::uint64_t{0});
  }
  return sum;
}

bool LabRun::all_tunnels_down() {
  nlohmann::json s = status();
  bool any = false;
  for (const auto& [node, gw] : s["gateways"].items()) {
    if (!gw.is_object() || !gw.contains("started")) continue;
    for (const auto& t : arr(gw, "tunnels")) {
      any = true;
      if (t.value("status", "") == "UP") return false;
    }
  }
  return any;
}

std::string LabRun::aws_bgp_error() {
  nlohmann::json s = status();
  const nlohmann::json& gw = s["gateways"].value("aws-vgw", nlohmann::json());
  if (!gw.is_object() || !gw["bgp"].is_object()) return "";
  for (const auto& p : arr(gw["bgp"], "peers")) {
    if (p["lastError"].is_string()) return p["lastError"].get<std::string>();
  }
  return "";
}

bool LabRun::aws_sessions_refused_prefixes() {
  nlohmann::json s = status();
  const nlohmann::json& gw = s["gateways"].value("aws-vgw", nlohmann::json());
  if (!gw.is_object() || !gw["bgp"].is_object()) return false;
  int refused = 0, peers = 0;
  for (const auto& p : arr(gw["bgp"], "peers")) {
    ++peers;
    std::string err = p["lastError"].is_string() ? p["lastError"].get<std::string>() : "";
    // vpnlab: "Cease/Maximum Number of Prefixes Reached"; BIRD: "Route limit exceeded".
    bool prefixes = err.find("Prefixes") != std::string::npos ||
                    err.find("prefix") != std::string::npos ||
                    err.find("Route limit") != std::string::npos;
    // Closed for the limit at least once (its last error says so) and never holding more
    // than the limit: the session may be re-established between two limit hits.
    if (prefixes && p.value("routesReceived", 0) <= 100) ++refused;
  }
  return peers > 0 && refused == peers;
}

std::string LabRun::tunnel_errors() {
  std::string out;
  nlohmann::json s = status();
  if (!s.contains("gateways")) return out;
  for (const auto& [node, gw] : s["gateways"].items()) {
    for (const auto& t : arr(gw, "tunnels")) {
      std::string e = t.value("last_error", "");
      if (!e.empty()) out += "\n    " + node + " " + t.value("device", "") + ": " + e;
    }
  }
  return out;
}

Checked<int> LabRun::kill_ike_daemons(const std::string& cloud) {
  std::vector<std::string> nodes = cloud == "azure"
                                       ? std::vector<std::string>{"azure-gw0", "azure-gw1"}
                                       : std::vector<std::string>{"aws-vgw"};
  int killed = 0;
  for (const std::string& n : nodes) {
    // The node's own PID checks: charon by the config in its environment, the vpnlab
    // gateway by its command line (PIDs are reused).
    int pid = nodes::strongswan_pid(nodes::NodePaths{run_dir(), n});
    if (pid == 0) pid = running_gateway_pid(RunPaths{run_dir()}, n);
    if (pid > 0 && ::kill(pid, SIGKILL) == 0) ++killed;
  }
  if (killed == 0)
    return fail(std::make_error_code(std::errc::no_such_process),
                "no IKE daemon of the " + cloud + " side found under " + run_dir());
  return killed;
}

}  // namespace vpnlab::topology::interop
