// vpnlab up | down | status
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/consoles.hpp"
#include "cli/lab_status.hpp"
#include "cli/sas_text.hpp"
#include "dataplane/linux/netns.hpp"
#include "topology/control_client.hpp"
#include "topology/fabric.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/private_paths.hpp"
#include "topology/reachability.hpp"
#include "topology/recovery_status.hpp"
#include "topology/supervisor.hpp"
#include "topology/underlay.hpp"
#include "topology/verify/verify.hpp"

namespace vpnlab::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

bool require_root() {
  if (geteuid() == 0) return true;
  std::fprintf(stderr, "vpnlab: this command builds network namespaces and needs root\n");
  return false;
}

// The lab description `up` used, kept (0600: it holds PSKs) so that `down`/`status --lab`
// find the same lab without the file.
void save_lab(const topology::Lab& lab, const LabSource& src) {
  std::string dir = run_dir(lab.lab.name);
  // Root-only from creation on: no window in which the PSKs are readable (umask 0077).
  mode_t old = ::umask(0077);
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  std::string text;
  if (src.file.empty()) {
    text = topology::default_lab_yaml();
  } else {
    std::ifstream in(src.file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string path = dir + "/lab.yaml";
  std::ofstream out(path, std::ios::trunc);
  ::chmod(path.c_str(), 0600);
  out << text;
  ::umask(old);
}

// A run directory that exists already must be root-only: if it is not, its plans and lab
// file may have leaked or been replaced; `up` refuses instead of quietly fixing the mode.
bool run_dir_private(const topology::Lab& lab) {
  std::string dir = run_dir(lab.lab.name);
  if (!std::filesystem::exists(dir)) return true;
  auto rc = topology::check_private_dir(dir);
  if (!rc) std::fprintf(stderr, "vpnlab up: %s\n", rc.error().message.c_str());
  return static_cast<bool>(rc);
}

int print_mesh(const std::vector<topology::GatewayPlan>& gateways) {
  auto results = topology::probe_public_mesh(gateways, std::chrono::milliseconds(3000));
  int failures = 0;
  double worst = 0;
  for (const auto& r : results) {
    if (!r.ok) {
      ++failures;
      std::printf("  FAIL %s -> %s (%s): %s\n", r.from_node.c_str(), r.to.to_string().c_str(),
                  r.to_node.c_str(), r.error.c_str());
    } else {
      worst = std::max(worst, r.rtt.count() / 1000.0);
    }
  }
  std::printf(
      "public reachability: %zu/%zu gateway-to-public-IP probes answered (ICMP echo, worst %.2f "
      "ms)\n",
      results.size() - failures, results.size(), worst);
  return failures;
}

topology::RunPaths paths_for(const topology::Lab& lab) {
  return {run_dir(lab.lab.name)};
}

// Empty when the merged console view shows the lab as the tutorial's part 4 describes it;
// otherwise what is still missing.
std::string converged(const nlohmann::json& m) {
  for (const auto& c : m["azure"]["connections"]) {
    if (c.value("connectionStatus", "") != "Connected")
      return c.value("name", "") + " not Connected";
  }
  for (const auto& p : m["azure"]["bgpPeerStatus"]) {
    if (p.value("state", "") != "Connected")
      return "BGP peer " + p.value("neighbor", "") + " not Connected";
    // Part 4 shows each peer with the VPC's route: a session just up has not had it yet.
    if (p.value("routesReceived", 0) == 0)
      return "BGP peer " + p.value("neighbor", "") + " Connected, no route received yet";
  }
  for (const auto& v : m["aws"]["VpnConnections"]) {
    for (const auto& t : v["VgwTelemetry"]) {
      if (t.value("Status", "") != "UP" || t.value("AcceptedRouteCount", 0) == 0) {
        return v.value("VpnConnection", "") + " tunnel " + t.value("OutsideIpAddress", "") + " " +
               t.value("StatusMessage", "");
      }
    }
  }
  return "";
}

// Nodes run by real software (lab.nodes): start them and say what their software cannot
// express of the cloud (issue 10: "the lab says so at up").
bool start_real_nodes(const topology::LabPlan& plan, const topology::RunPaths& paths) {
  for (const auto& g : plan.gateways) {
    if (!topology::nodes::is_real(g)) continue;
    auto started = topology::nodes::start_node(g, topology::nodes::node_paths(paths, g));
    if (!started) {
      std::fprintf(stderr, "vpnlab up: %s (%s): %s\n", g.node.c_str(), g.implementation.c_str(),
                   started.error().message.c_str());
      return false;
    }
    std::string daemons;
    for (const auto& d : started->daemons)
      daemons += "  " + d.name + " pid " + std::to_string(d.pid);
    std::printf("gateway %-10s %s%s%s\n", g.node.c_str(), g.implementation.c_str(), daemons.c_str(),
                started->already_running ? " (already running, kept)" : "");
    for (const auto& n : topology::nodes::node_notes(g)) std::printf("  note: %s\n", n.c_str());
  }
  return true;
}

// Errors no retry mends: a tunnel refused for its configuration (the PSK, the proposal
// lists) stays down until the lab file changes, and a down tunnel that nobody will initiate
// again (topology/recovery.hpp: e.g. AWS dpd_timeout_action clear + Azure ResponderOnly after
// an instance restart) stays down until someone acts, so waiting out --wait says nothing more.
std::string cannot_converge(const nlohmann::json& gateways, const nlohmann::json& recovery) {
  std::string out;
  for (const auto& r : recovery) {
    if (r.value("will_come_back", true)) continue;
    out += "\n  " + r.value("device", "") + " (" + r.value("aws_tunnel", "") + ", " +
           r.value("azure_connection", "") + " on " + r.value("azure_node", "") +
           "): will not come back by itself: " + r.value("reason", "") +
           "\n    to change that: " + r.value("fix", "");
  }
  for (const auto& [node, gw] : gateways.items()) {
    if (!gw.is_object() || !gw.contains("tunnels")) continue;
    for (const auto& t : gw["tunnels"]) {
      std::string e = t.value("last_error", "");
      bool config = e.find("NO_PROPOSAL_CHOSEN") != std::string::npos ||
                    e.find("AUTHENTICATION_FAILED") != std::string::npos;
      if (config && t.value("status", "") != "UP")
        out += "\n  " + node + " " + t.value("device", "") + ": " + e;
    }
  }
  return out;
}

}  // namespace

int cmd_up(const LabSource& src, const UpOptions& opt) {
  if (!require_root()) return 1;
  auto lab = load_valid_lab(src);
  if (!lab) return 1;
  if (!run_dir_private(*lab)) return 1;
  auto plan = topology::compile(*lab);
  std::fputs(plan.notes.format(src.file.empty() ? "<default lab>" : src.file).c_str(), stderr);
  auto t0 = Clock::now();
  auto report = topology::underlay_up(plan.underlay);
  if (!report) {
    std::fprintf(stderr, "vpnlab up: %s\n", report.error().message.c_str());
    return 1;
  }
  double took = ms_since(t0);
  save_lab(*lab, src);
  std::printf("lab '%s': underlay up in %.1f ms (%zu namespaces created, %zu already there)\n",
              lab->lab.name.c_str(), took, report->created.size(), report->found.size());
  for (const auto& n : report->found)
    std::printf("  found existing namespace %s (kept)\n", n.c_str());
  if (print_mesh(plan.gateways) != 0) return 2;
  if (opt.underlay_only) return 0;
  auto t1 = Clock::now();
  // Real nodes first: a vpnlab gateway that initiates gives up on a peer that is not there.
  if (!start_real_nodes(plan, paths_for(*lab))) return 1;
  auto started = topology::start_gateways(plan, paths_for(*lab), self_exe());
  if (!started) {
    std::fprintf(stderr, "vpnlab up: %s\n", started.error().message.c_str());
    return 1;
  }
  for (const auto& s : *started) {
    std::printf("gateway %-10s pid %-7d %s\n", s.node.c_str(), s.pid,
                s.already_running ? "(already running, kept)" : "started");
  }
  std::printf("gateways answering on their control sockets after %.1f ms\n", ms_since(t1));
  auto sup = topology::start_supervisor(paths_for(*lab), lab->lab.name, self_exe());
  if (!sup) {
    std::fprintf(stderr, "vpnlab up: %s\n", sup.error().message.c_str());
    return 1;
  }
  std::printf("lab supervisor pid %d (route propagation into the VNet and the VPC)\n", *sup);
  if (opt.wait_seconds <= 0) return 0;
  // Converged: every Azure connection Connected, every BGP peer Connected, every AWS tunnel
  // UP with BGP routes (the tutorial's part 4, "what working looks like").
  auto t2 = Clock::now();
  auto deadline = t2 + std::chrono::milliseconds(static_cast<long>(opt.wait_seconds * 1000));
  std::string why;
  auto analysis = topology::analyze_recovery(plan);
  // A lab that cannot converge must look so for a second on end: the two ends are queried one
  // after the other, so one poll may catch an exchange between them.
  std::string stuck_before;
  auto stuck_since = Clock::now();
  while (Clock::now() < deadline) {
    auto gateways = topology::nodes::gateways_status(plan, paths_for(*lab));
    auto m = merge_consoles(*lab, gateways);
    why = converged(m);
    // Traffic follows the VNet's and the VPC's routes: converged once the supervisor has
    // propagated what the gateways learned (ECMP over both instances, not the first one).
    if (why.empty()) why = topology::fabric_pending(plan, gateways);
    if (why.empty()) {
      std::printf(
          "lab converged %.1f ms after the gateways started: all connections Connected, "
          "all BGP peers Connected, routes propagated\n",
          ms_since(t1));
      return 0;
    }
    std::string stuck = cannot_converge(gateways, topology::recovery_status(analysis, gateways));
    if (stuck != stuck_before) stuck_since = Clock::now();
    stuck_before = stuck;
    if (!stuck.empty() && Clock::now() - stuck_since >= std::chrono::seconds(1)) {
      std::printf("lab cannot converge (stopped waiting after %.1f s):%s\n", ms_since(t2) / 1000,
                  stuck.c_str());
      return 4;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::printf("lab not converged after %.0f s: %s (see vpnlab status)\n", opt.wait_seconds,
              why.c_str());
  return 4;
}

int cmd_down(const LabSource& src) {
  if (!require_root()) return 1;
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  auto t0 = Clock::now();
  if (topology::stop_supervisor(paths_for(*lab))) std::printf("stopped the lab supervisor\n");
  for (const auto& g : plan.gateways) {
    if (!topology::nodes::is_real(g)) continue;
    auto stopped = topology::nodes::stop_node(g, topology::nodes::node_paths(paths_for(*lab), g));
    for (const auto& d : stopped) std::printf("stopped %s of %s\n", d.c_str(), g.node.c_str());
  }
  for (const auto& n : topology::stop_gateways(plan, paths_for(*lab))) {
    std::printf("stopped gateway %s\n", n.c_str());
  }
  auto report = topology::underlay_down(plan.underlay);
  if (!report) {
    std::fprintf(stderr, "vpnlab down: %s\n", report.error().message.c_str());
    return 1;
  }
  double took = ms_since(t0);
  std::filesystem::remove_all(run_dir(lab->lab.name));
  if (report->removed.empty()) {
    std::printf("lab '%s': nothing to remove (no namespace of this lab exists)\n",
                lab->lab.name.c_str());
  } else {
    std::printf("lab '%s': removed %zu namespaces in %.1f ms\n", lab->lab.name.c_str(),
                report->removed.size(), took);
  }
  return 0;
}

int cmd_status(const LabSource& src, const StatusOptions& opt) {
  if (!require_root()) return 1;
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  if (opt.watch) return watch_status(*lab, plan, opt);
  LabStatus st = collect_status(*lab, plan);
  if (opt.json) {
    std::printf("%s\n", st.merged.dump(2).c_str());
    return st.complete() ? 0 : 3;
  }
  std::printf("lab '%s': %zu/%zu namespaces present\n", lab->lab.name.c_str(),
              st.namespaces_present, st.namespaces);
  for (const auto& n : plan.underlay.nodes) {
    if (!dataplane::netns_exists(n.netns)) std::printf("  missing: %s\n", n.netns.c_str());
  }
  if (!st.complete()) return 3;
  int failures = print_mesh(plan.gateways);
  std::printf("\n%s", render_consoles(st.merged).c_str());
  if (opt.sas) {
    std::printf("\nIKE and CHILD SAs\n%s",
                render_sas(st.merged["gateways"], st.merged["recovery"]).c_str());
  }
  return failures == 0 ? 0 : 2;
}

}  // namespace vpnlab::cli
