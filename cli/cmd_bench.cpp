// vpnlab bench [FILE | --lab NAME] [--time S] [--streams N] [--json]: iperf3 between the VNet
// VM and the VPC host through the running lab (topology/bench/), each case's tunnels and
// gateway CPU from the gateways' counters, and the clouds' documented limits beside them.
#include <unistd.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "topology/bench/bench_run.hpp"
#include "topology/nodes/real_node.hpp"

namespace vpnlab::cli {

namespace {

bool lab_running(const topology::LabPlan& plan, const topology::RunPaths& paths) {
  for (const auto& g : plan.gateways) {
    if (!topology::nodes::is_real(g) && topology::running_gateway_pid(paths, g.node) != 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

int cmd_bench(const LabSource& src, const BenchOptions& opt) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  topology::RunPaths paths{run_dir(lab->lab.name)};
  if (!lab_running(plan, paths)) {
    std::fprintf(stderr, "vpnlab bench: lab '%s' is not up (vpnlab up first)\n",
                 lab->lab.name.c_str());
    return 1;
  }
  if (opt.seconds < 1 || opt.streams < 1) {
    std::fprintf(stderr, "vpnlab bench: --time and --streams must be at least 1\n");
    return 1;
  }
  topology::bench::BenchOptions run;
  run.seconds = opt.seconds;
  run.streams = opt.streams;
  bool tty = ::isatty(STDERR_FILENO) != 0;
  run.progress = [tty](const std::string& line) {
    // A progress line that rewrites itself on a terminal, one line per case otherwise.
    std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", line.c_str());
    std::fflush(stderr);
  };
  auto report = topology::bench::run_bench(*lab, plan, paths, run);
  if (tty) std::fprintf(stderr, "\r\033[K");
  std::string out =
      opt.json ? topology::bench::render_json(report) : topology::bench::render_text(report);
  std::fputs(out.c_str(), stdout);
  for (const auto& c : report.cases) {
    if (!c.result) return 1;
  }
  return 0;
}

}  // namespace vpnlab::cli
