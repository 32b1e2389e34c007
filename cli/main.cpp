// vpnlab: one binary for the lab (validate, topology, up, down, status) and, in each gateway
// namespace, the gateway process itself.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace vpnlab::cli;
  CLI::App app{"vpnlab - an Azure <-> AWS BGP active/active VPN on Linux network namespaces"};
  app.require_subcommand(1);
  LabSource src;
  std::string node;
  bool show_secrets = false;
  UpOptions up;

  auto* validate =
      app.add_subcommand("validate", "check a lab description (default: the reference lab)");
  validate->add_option("file", src.file, "lab YAML file");

  auto* topology = app.add_subcommand("topology", "the lab description and what it compiles to");
  topology->require_subcommand(1);
  auto* show = topology->add_subcommand("show", "print the embedded reference lab as YAML");
  show->add_flag("--show-secrets", show_secrets, "print the pre-shared keys");
  auto* plan = topology->add_subcommand("plan", "print the compiled per-gateway plans");
  plan->add_option("file", src.file, "lab YAML file");
  plan->add_option("--node", node, "azure-gw0, azure-gw1 or aws-vgw");
  HostPlanArgs host;  // README "A gateway on a real interface"
  plan->add_option("--host-interface", host.interface,
                   "print the node's plan file for a host interface (vpnlab gateway --config)");
  plan->add_option("--address", host.addresses,
                   "with --host-interface: the host's A.B.C.D/N (one for all tunnels, or one "
                   "per public address of the node)");
  plan->add_option("--gateway", host.gateway, "with --host-interface: router to the peers");
  plan->add_option("--peer-address", host.peers,
                   "with --host-interface: the device's outside address, A.B.C.D for every "
                   "tunnel or TUNNEL=A.B.C.D");
  plan->add_option("--tunnel", host.tunnels, "with --host-interface: keep only these tunnels");
  plan->add_flag("--show-secrets", host.show_secrets, "with --host-interface: print the PSKs");

  auto add_lab_args = [&](CLI::App* cmd) {
    cmd->add_option("file", src.file, "lab YAML file (default: the reference lab)");
    cmd->add_option("--lab", src.lab_name,
                    "a running lab's name (uses the description saved by up)");
  };
  auto* upc = app.add_subcommand("up", "build the lab and print its status");
  add_lab_args(upc);
  upc->add_flag("--underlay-only", up.underlay_only, "namespaces, links and routes only");
  upc->add_option("--wait", up.wait_seconds,
                  "seconds to wait until every tunnel and BGP session is up (exit 4 if not)");
  auto* down = app.add_subcommand("down", "remove everything the lab made");
  add_lab_args(down);
  auto* status = app.add_subcommand("status", "the lab as the two cloud consoles would show it");
  add_lab_args(status);
  StatusOptions status_opt;
  status->add_flag("--json", status_opt.json,
                   "machine-readable (includes every gateway's document)");
  status->add_flag(
      "--sas", status_opt.sas,
      "also list every IKE_SA and CHILD_SA: SPIs, algorithms, rekey countdowns, traffic, drops");
  status->add_flag("--watch", status_opt.watch,
                   "redraw the consoles in place until Ctrl-C (as watch(1) would; for drills)");
  status->add_option("--interval", status_opt.interval_s, "--watch: seconds between redraws")
      ->check(CLI::Range(0.1, 3600.0));

  auto* verifyc = app.add_subcommand(
      "verify",
      "check a running lab as the tutorial's part 4 does, plus every tunnel's data path, the "
      "VNet VM -> VPC host paths and the routes; each failure with its likely cause (exit 5)");
  add_lab_args(verifyc);
  bool verify_json = false;
  verifyc->add_flag("--json", verify_json, "the checklist as JSON");

  GraphOptions graph_opt;
  auto* graph = app.add_subcommand(
      "graph", "the lab as Graphviz: namespaces, links, tunnels and BGP sessions by state");
  add_lab_args(graph);
  graph->add_option("-o", graph_opt.output,
                    "lab.dot (DOT) or lab.svg (runs dot -Tsvg); default: DOT on stdout");

  std::string plan_file, socket_path;
  auto* gateway = app.add_subcommand("gateway",
                                     "run one gateway node (started by up in its namespace, or "
                                     "by hand from a host plan: topology plan --host-interface)");
  gateway->add_option("--config", plan_file, "the gateway's plan file")->required();
  gateway->add_option("--socket", socket_path,
                      "control socket path (default for a host plan: "
                      "/run/vpnlab-host/<lab>-<node>.sock)");
  bool gw_status = false, gw_json = false;
  gateway->add_flag("--status", gw_status, "ask the running gateway for its tunnels and SAs");
  gateway->add_flag("--json", gw_json, "with --status: the whole status document");

  auto* supervise = app.add_subcommand("supervise", "the lab supervisor (started by up)");
  supervise->add_option("--lab", src.lab_name, "the lab's name")->required();

  std::string action, tunnel_name;
  auto* tunnel = app.add_subcommand(
      "tunnel", "drill: take a tunnel down or bring it back on both ends, or rekey it");
  tunnel
      ->add_option("action", action,
                   "down | up | rekey (CHILD_SA) | rekey-ike | bgp-reset (Cease/Administrative "
                   "Reset of its BGP session)")
      ->required()
      ->check(CLI::IsMember({"down", "up", "rekey", "rekey-ike", "bgp-reset"}));
  std::string from;
  tunnel->add_option("--from", from, "rekey, bgp-reset: started by this cloud's end (azure | aws)")
      ->check(CLI::IsMember({"azure", "aws"}));
  tunnel->add_option("tunnel", tunnel_name, "device (aws0t1) or cloud name")->required();
  tunnel->add_option("file", src.file, "lab YAML file (default: the reference lab)");
  tunnel->add_option("--lab", src.lab_name, "a running lab's name");
  std::string tunnel_node;
  tunnel->add_option("--node", tunnel_node,
                     "only this end (rekeys, bgp-reset: the end that starts it)");

  CaptureOptions cap;
  auto* capture = app.add_subcommand(
      "capture",
      "capture a running lab's IKE/ESP (or a tunnel's cleartext) into pcapng, with keys");
  capture->add_option("target", cap.target, "tunnel (aws0t1 or cloud name) or node (aws-vgw)")
      ->required();
  capture->add_option("file", src.file, "lab YAML file (default: the reference lab)");
  capture->add_option("--lab", src.lab_name, "a running lab's name");
  capture->add_option("--node", cap.node, "for a tunnel: the end to capture on");
  bool outer_flag = false;
  auto* outer =
      capture->add_flag("--outer", outer_flag, "IKE and ESP on the internet link (default)");
  capture->add_flag("--inner", cap.inner, "cleartext on the tunnel device")->excludes(outer);
  capture->add_option("-w", cap.output, "pcapng file to write (keys go to FILE.keys/)")->required();
  capture->add_option("--duration", cap.duration_s, "stop after this many seconds");
  capture->add_option("--count", cap.count, "stop after this many packets");

  ExportOptions export_opt;
  auto* exportc = app.add_subcommand(
      "export",
      "what a real device needs to take a gateway node's place (configs as vpnlab up runs them)");
  exportc->add_option("what", export_opt.what, "strongswan | frr | bird")
      ->required()
      ->check(CLI::IsMember({"strongswan", "frr", "bird"}));
  exportc->add_option("--node", export_opt.node, "azure-gw0, azure-gw1 or aws-vgw")->required();
  exportc->add_flag("--show-secrets", export_opt.show_secrets, "write the pre-shared keys");
  exportc->add_option("file", src.file, "lab YAML file (default: the reference lab)");
  exportc->add_option("--lab", src.lab_name, "a running lab's name");

  InteropOptions iop;
  auto* interop = app.add_subcommand(
      "interop", "run the interop matrix against real strongSwan + FRR / BIRD (root)");
  interop->add_option("--peer", iop.peer, "strongswan+frr | strongswan+bird | vpnlab")
      ->check(CLI::IsMember({"strongswan+frr", "strongswan+bird", "vpnlab"}));
  interop->add_option("--side", iop.side, "which cloud the real software replaces")
      ->check(CLI::IsMember({"azure", "aws", "both"}));
  interop->add_flag("--quick", iop.quick, "the quick cases only (what CI runs)");
  interop->add_option("--case", iop.only, "one case by name");
  interop->add_flag("--json", iop.json, "print the JSON report instead of the table");
  interop->add_option("--report", iop.report, "where to write the JSON report ('' for none)");
  interop->add_option("--time-factor", iop.time_factor, "lab time factor (DPD, hold timers)");
  interop->add_flag("--keep", iop.keep, "leave each case's lab up");

  BenchOptions bench_opt;
  auto* bench = app.add_subcommand(
      "bench", "iperf3 VNet VM <-> VPC host through the running lab, per tunnel, with limits");
  add_lab_args(bench);
  bench->add_option("--time", bench_opt.seconds, "seconds per case (default 5)");
  bench->add_option("--streams", bench_opt.streams, "parallel streams of the N-stream cases (4)");
  bench->add_flag("--json", bench_opt.json, "machine-readable report");

  FailOptions drill;
  auto* failc = app.add_subcommand(
      "fail", "drill: inject a fault into a running lab and measure the outage and recovery");
  failc
      ->add_option("target", drill.target,
                   "crash:INSTANCE | maintenance:INSTANCE | replace:TUNNEL | hang:NODE | "
                   "bgp-reset:TUNNEL | path:TUNNEL (INSTANCE: azure-gw0 or instance0)")
      ->required();
  auto* healc = app.add_subcommand("heal", "undo the faults `vpnlab fail` left in place");
  healc->add_option("target", drill.target, "one recorded fault (default: all)");
  for (auto* c : {failc, healc}) {
    c->add_option("file", src.file, "lab YAML file (default: the reference lab)");
    c->add_option("--lab", src.lab_name, "a running lab's name");
    c->add_option("--wait", drill.wait_s, "bound on each wait, s (default 90 x time factor)");
    c->add_option("--pps", drill.rate_pps, "probes per second each way (default 1000)")
        ->check(CLI::Range(10, 20000));
    c->add_flag("--json", drill.json, "print the report as JSON");
    c->add_option("--report", drill.report, "also write the JSON report to this file");
    c->add_option("--svg", drill.svg, "write the timeline (probes lost, events) as SVG");
  }
  failc->add_option("--for", drill.hold_s, "heal after this many seconds, then measure recovery")
      ->check(CLI::NonNegativeNumber);
  failc->add_option("--loss", drill.loss, "path: random loss, e.g. 5%");
  failc->add_option("--delay", drill.delay, "path: added delay, e.g. 150ms (needs sch_netem)");
  failc->add_option("--jitter", drill.jitter, "path: delay variation, e.g. 20ms");
  failc->add_option("--rate", drill.rate, "path: rate limit, e.g. 100mbit");
  failc->add_flag("--down", drill.down, "path: every packet dropped");

  ProbeCmdOptions probe_opt;
  auto* probe = app.add_subcommand(
      "probe", "a sequenced UDP stream VNet VM <-> VPC host through a running lab, lost counted");
  probe->add_option("file", src.file, "lab YAML file (default: the reference lab)");
  probe->add_option("--lab", src.lab_name, "a running lab's name");
  probe->add_option("--seconds", probe_opt.seconds, "how long (0: until SIGINT/SIGTERM)");
  probe->add_option("--rate", probe_opt.rate_pps, "datagrams per second each way");
  probe->add_option("--port", probe_opt.port, "UDP port at both ends");
  probe->add_flag("--json", probe_opt.json, "the report as JSON, with every run of losses");

  CLI11_PARSE(app, argc, argv);
  if (*probe) return cmd_probe(src, probe_opt);
  if (*bench) return cmd_bench(src, bench_opt);
  if (*failc) return cmd_fail(src, drill);
  if (*healc) {
    // heal [TARGET] [FILE]: a lone argument naming a file is the lab file.
    if (src.file.empty() && drill.target.find(".y") != std::string::npos &&
        std::filesystem::exists(drill.target))
      std::swap(src.file, drill.target);
    return cmd_heal(src, drill);
  }
  if (*interop) return cmd_interop(iop);
  if (*capture) return cmd_capture(src, cap);
  if (*exportc) return cmd_export(src, export_opt);
  if (*tunnel) return cmd_tunnel(src, action, tunnel_name, tunnel_node, from);
  if (*supervise) return cmd_supervise(src);
  if (*gateway && gw_status) return cmd_gateway_status(plan_file, socket_path, gw_json);
  if (*gateway) return cmd_gateway(plan_file, socket_path);
  if (*validate) return cmd_validate(src);
  if (*show) return cmd_topology_show(show_secrets);
  if (*plan && !host.interface.empty()) return cmd_topology_host_plan(src, node, host);
  if (*plan && (!host.addresses.empty() || !host.peers.empty() || !host.tunnels.empty() ||
                !host.gateway.empty() || host.show_secrets)) {
    std::fprintf(stderr,
                 "--address, --gateway, --peer-address, --tunnel and --show-secrets "
                 "go with --host-interface\n");
    return 1;
  }
  if (*plan) return cmd_topology_plan(src, node);
  if (*upc) return cmd_up(src, up);
  if (*down) return cmd_down(src);
  if (*status && status_opt.json && status_opt.watch) {
    std::fprintf(stderr, "--watch redraws the consoles; it does not go with --json\n");
    return 1;
  }
  if (*status) return cmd_status(src, status_opt);
  if (*verifyc) return cmd_verify(src, verify_json);
  if (*graph) return cmd_graph(src, graph_opt);
  return 1;
}
