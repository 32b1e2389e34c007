#pragma once
// Gateway processes of a lab: `vpnlab up` writes each gateway's plan (0600: it holds PSKs)
// into the lab's run directory, starts `vpnlab gateway` in the gateway's namespace, records
// its PID, and waits for its control socket; `vpnlab down` stops exactly those PIDs (after
// checking /proc that the PID is still that gateway) before removing the namespaces.

#include <chrono>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {

struct RunPaths {
  std::string dir;  // /run/vpnlab/<lab>
  std::string plan(const std::string& node) const { return dir + "/" + node + ".plan.yaml"; }
  std::string socket(const std::string& node) const { return dir + "/" + node + ".sock"; }
  std::string pid(const std::string& node) const { return dir + "/" + node + ".pid"; }
  std::string log(const std::string& node) const { return dir + "/" + node + ".log"; }
};

struct GatewayStart {
  std::string node;
  int pid = 0;
  bool already_running = false;
};

/// Starts every gateway that is not already running; waits until each answers on its
/// control socket. On failure the error carries the tail of that gateway's log.
Checked<std::vector<GatewayStart>> start_gateways(const LabPlan& plan, const RunPaths& paths,
                                                  const std::string& vpnlab_exe);
/// Stops the lab's gateways (SIGTERM, then SIGKILL after 3 s); returns the nodes stopped.
std::vector<std::string> stop_gateways(const LabPlan& plan, const RunPaths& paths);
/// PID of a running gateway of this lab, 0 if none.
int running_gateway_pid(const RunPaths& paths, const std::string& node);

/// The lab supervisor (`vpnlab supervise`): one background process per lab, in the host
/// namespace, that owns route propagation (topology/fabric.hpp). Started by up, stopped by
/// down; its PID file is <run>/supervisor.pid.
Checked<int> start_supervisor(const RunPaths& paths, const std::string& lab_name,
                              const std::string& vpnlab_exe);
bool stop_supervisor(const RunPaths& paths);
/// PID of the lab's running supervisor, 0 if none (the PID file's process, if it is one).
int running_supervisor_pid(const RunPaths& paths);
/// The supervisor's loop: every period, read the gateways' status and program the fabric.
/// Returns when stop is set or the lab's namespaces are gone.
int run_supervisor(const LabPlan& plan, const RunPaths& paths, std::chrono::milliseconds period);

}  // namespace vpnlab::topology
