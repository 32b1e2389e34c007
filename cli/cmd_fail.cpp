// vpnlab fail TARGET [--for S] and vpnlab heal [TARGET]: failure drills on a running lab
// with a measured outage. Arguments and printing only; the drill is topology/drills/.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "cli/commands.hpp"
#include "topology/drills/drill.hpp"
#include "topology/drills/report_json.hpp"
#include "topology/drills/timeline_svg.hpp"

namespace vpnlab::cli {
namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::fprintf(stderr, "vpnlab: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

int run(const LabSource& src, const FailOptions& opt, bool heal) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "vpnlab: drills act on a running lab's processes and need root\n");
    return 1;
  }
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  topology::drills::DrillOptions d;
  d.target = opt.target;
  d.hold_s = opt.hold_s;
  d.wait_s = opt.wait_s;
  d.rate_pps = opt.rate_pps;
  if (!heal && opt.target.rfind("path:", 0) == 0) {
    auto imp =
        topology::drills::parse_impairment(opt.loss, opt.delay, opt.jitter, opt.rate, opt.down);
    if (!imp) {
      std::fprintf(stderr, "vpnlab fail: %s\n", imp.error().message.c_str());
      return 1;
    }
    d.impairment = *imp;
  } else if (!heal && (!opt.loss.empty() || !opt.delay.empty() || !opt.jitter.empty() ||
                       !opt.rate.empty() || opt.down)) {
    std::fprintf(stderr,
                 "vpnlab fail: --loss, --delay, --jitter, --rate and --down apply to "
                 "path:TUNNEL targets only\n");
    return 1;
  }
  topology::drills::DrillContext ctx{*lab, plan, {run_dir(lab->lab.name)}, self_exe()};
  auto report = heal ? topology::drills::run_heal(ctx, d) : topology::drills::run_fail(ctx, d);
  if (!report) {
    std::fprintf(stderr, "vpnlab %s: %s\n", heal ? "heal" : "fail", report.error().message.c_str());
    return 1;
  }
  auto json = topology::drills::to_json(*report);
  if (opt.json)
    std::printf("%s\n", json.dump(2).c_str());
  else
    std::fputs(topology::drills::render_text(*report).c_str(), stdout);
  bool ok = true;
  if (!opt.report.empty()) ok = write_file(opt.report, json.dump(2) + "\n") && ok;
  if (!opt.svg.empty()) ok = write_file(opt.svg, topology::drills::timeline_svg(*report)) && ok;
  if (!ok) return 1;
  // Exit 3 when the lab did not come back within the wait (the report says why).
  return report->recovery_checked && !report->recovered ? 3 : 0;
}

}  // namespace

int cmd_fail(const LabSource& src, const FailOptions& opt) {
  return run(src, opt, false);
}

int cmd_heal(const LabSource& src, const FailOptions& opt) {
  return run(src, opt, true);
}

}  // namespace vpnlab::cli
