// vpnlab interop [--peer P] [--side azure|aws|both] [--quick] [--case NAME] [--json]
//                [--report FILE] [--time-factor F] [--keep]
// Runs the interop matrix (topology/interop/) against the installed real software: each case
// in a lab of its own, one cloud's gateway nodes run by the peer, the other emulated. Prints
// a progress line per case and step, then the table; writes the JSON report; exits non-zero
// on any failure.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "topology/interop/runner.hpp"

namespace vpnlab::cli {
namespace {

namespace iop = topology::interop;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

void print_table(const std::vector<iop::CaseResult>& results) {
  std::printf("\n%-13s %-6s %-16s %-6s %-40s %-24s %8s %12s\n", "case", "side", "peer", "result",
              "IKE suites", "ESP suites", "time", "probes lost");
  for (const auto& r : results) {
    std::string lost =
        r.probes_sent ? std::to_string(r.probes_lost) + "/" + std::to_string(r.probes_sent) : "-";
    std::printf("%-13s %-6s %-16s %-6s %-40s %-24s %6.1f s %12s\n", r.name.c_str(), r.side.c_str(),
                r.peer.c_str(),
                r.skipped ? "skip"
                : r.ok    ? "pass"
                          : "FAIL",
                join(r.ike_suites).c_str(), join(r.esp_suites).c_str(), r.seconds, lost.c_str());
    if (!r.ok || r.skipped) std::printf("    -> %s\n", r.reason.c_str());
  }
}

}  // namespace

int cmd_interop(const InteropOptions& opt) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "vpnlab interop: builds labs in network namespaces and needs root\n");
    return 1;
  }
  std::vector<iop::Side> sides;
  if (opt.side != "aws") sides.push_back(iop::Side::azure);
  if (opt.side != "azure") sides.push_back(iop::Side::aws);
  std::string work = "/run/vpnlab/interop-" + std::to_string(::getpid());
  std::filesystem::create_directories(work);
  ::chmod(work.c_str(), 0700);
  std::vector<iop::CaseResult> results;
  nlohmann::json report = nlohmann::json::array();
  int index = 0;
  for (iop::Side side : sides) {
    iop::RunOptions ro;
    ro.side = side;
    // The pairing of the "done when": Azure instances by strongSwan + FRR, the AWS
    // side by strongSwan + BIRD, unless --peer says otherwise.
    ro.peer = !opt.peer.empty() ? opt.peer
                                : (side == iop::Side::azure ? "strongswan+frr" : "strongswan+bird");
    ro.vpnlab_exe = self_exe();
    ro.work_dir = work;
    ro.time_factor = opt.time_factor;
    ro.keep = opt.keep;
    ro.progress = [&](const std::string& line) {
      if (!opt.json) std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    };
    for (const iop::Case& c : iop::matrix(side)) {
      if (opt.quick && !c.quick) continue;
      if (!opt.only.empty() && c.name != opt.only) continue;
      ++index;
      if (!opt.json) {
        std::printf("[%d] %s: %s side by %s - %s\n", index, c.name.c_str(),
                    iop::side_name(side).c_str(), ro.peer.c_str(), c.what.c_str());
        std::fflush(stdout);
      }
      results.push_back(iop::run_case(c, ro, index));
      report.push_back(iop::to_json(results.back()));
    }
  }
  std::filesystem::remove_all(work);
  int failed = 0, skipped = 0;
  for (const auto& r : results) {
    failed += !r.ok;
    skipped += r.skipped;
  }
  nlohmann::json doc = {{"cases", report},
                        {"passed", static_cast<int>(results.size()) - failed - skipped},
                        {"failed", failed},
                        {"skipped", skipped},
                        {"time_factor", opt.time_factor}};
  if (!opt.report.empty()) {
    std::ofstream(opt.report, std::ios::trunc) << doc.dump(2) << "\n";
  }
  if (opt.json) {
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    print_table(results);
    std::printf("\n%zu cases, %d failed%s%s\n", results.size(), failed,
                opt.report.empty() ? "" : "; report: ", opt.report.c_str());
  }
  if (results.empty()) {
    std::fprintf(stderr, "vpnlab interop: no case selected\n");
    return 1;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace vpnlab::cli
