#pragma once
// The vpnlab subcommands; each returns the process exit code.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/lab_source.hpp"

namespace vpnlab::cli {

int cmd_validate(const LabSource& src);
int cmd_topology_show(bool show_secrets);
int cmd_topology_plan(const LabSource& src, const std::string& node);
struct UpOptions {
  bool underlay_only = false;
  double wait_seconds = 0;  // wait until the lab has converged (0: return at once)
};
int cmd_up(const LabSource& src, const UpOptions& opt);
int cmd_down(const LabSource& src);
struct StatusOptions {
  bool json = false;
  bool sas = false;         // also every IKE_SA and CHILD_SA (swanctl --list-sas shape)
  bool watch = false;       // redraw in place until SIGINT (as `watch` would)
  double interval_s = 2.0;  // --watch: seconds between frames
};
int cmd_status(const LabSource& src, const StatusOptions& opt);
/// status --watch: the consoles redrawn every interval until SIGINT; gateways that are down
/// or restarting are shown as such. Returns 0 on SIGINT.
int watch_status(const topology::Lab& lab, const topology::LabPlan& plan, const StatusOptions& opt);
struct GraphOptions {
  std::string output;  // "": DOT on stdout; *.dot: DOT file; *.svg: dot -Tsvg
};
int cmd_graph(const LabSource& src, const GraphOptions& opt);
int cmd_supervise(const LabSource& src);
/// Every check of the tutorial's part 4 plus data path and routes; exit 5 on any failure.
int cmd_verify(const LabSource& src, bool json);
/// action: down | up (both ends, or `node`) | rekey | rekey-ike | bgp-reset (one end: `node`, else
/// the first gateway of cloud `from` holding the tunnel, else the first holding it).
int cmd_tunnel(const LabSource& src, const std::string& action, const std::string& tunnel,
               const std::string& node = "", const std::string& from = "");
/// vpnlab fail TARGET / vpnlab heal [TARGET] (topology/drills/drill.hpp). Exit 3 when the
/// lab did not come back within the wait.
struct FailOptions {
  std::string target;
  std::string loss, delay, jitter, rate;  // path targets
  bool down = false;
  double hold_s = -1;  // --for
  double wait_s = -1;  // --wait (default: 90 s x the lab's time factor, at least 5 s)
  int rate_pps = 1000;
  bool json = false;
  std::string report, svg;
};
int cmd_fail(const LabSource& src, const FailOptions& opt);
int cmd_heal(const LabSource& src, const FailOptions& opt);
struct CaptureOptions {
  std::string target;  // tunnel (aws0t1 or its cloud name) or node (aws-vgw)
  std::string node;    // for a tunnel: which end (default: the first gateway holding it)
  std::string output;  // -w FILE.pcapng
  bool inner = false;  // cleartext on the TUN device instead of IKE/ESP on the wan link
  double duration_s = 0;
  std::uint64_t count = 0;
};
int cmd_capture(const LabSource& src, const CaptureOptions& opt);
struct ExportOptions {
  std::string what;  // strongswan | frr | bird
  std::string node;
  bool show_secrets = false;
};
int cmd_export(const LabSource& src, const ExportOptions& opt);
struct BenchOptions {
  int seconds = 5;
  int streams = 4;
  bool json = false;
};
/// iperf3 through the running lab: throughput per case and tunnel, against the clouds' limits.
int cmd_bench(const LabSource& src, const BenchOptions& opt);
struct ProbeCmdOptions {
  double seconds = 10;  // <= 0: until SIGINT/SIGTERM
  int rate_pps = 1000;  // per direction
  std::uint16_t port = 47000;
  bool json = false;
};
/// The sequenced UDP stream VNet VM <-> VPC host of a running lab; exit 1 if nothing got
/// through either way.
int cmd_probe(const LabSource& src, const ProbeCmdOptions& opt);
/// socket_path may be empty for a host plan (underlay section): /run/vpnlab-host/<lab>-<node>.sock
int cmd_gateway(const std::string& config, const std::string& socket_path);
struct InteropOptions {
  std::string peer;           // empty: strongswan+frr for Azure, strongswan+bird for AWS
  std::string side = "both";  // azure | aws | both
  bool quick = false;
  std::string only;  // one case by name
  bool json = false;
  std::string report = "vpnlab-interop-report.json";
  double time_factor = 0.1;
  bool keep = false;
};
int cmd_interop(const InteropOptions& opt);
/// The running gateway's status (render_sas text, or its JSON document).
int cmd_gateway_status(const std::string& config, const std::string& socket_path, bool json);
struct HostPlanArgs {
  std::string interface, gateway;
  std::vector<std::string> addresses, peers, tunnels;
  bool show_secrets = false;
};
/// vpnlab topology plan --node N --host-interface IFACE ...: the node's plan on the host.
int cmd_topology_host_plan(const LabSource& src, const std::string& node, const HostPlanArgs& a);

}  // namespace vpnlab::cli
