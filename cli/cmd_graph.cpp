// vpnlab graph [FILE | --lab NAME] [-o lab.svg|lab.dot]: the lab as Graphviz, coloured by the
// running lab's state (topology/lab_graph.hpp); grey when it is not running.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/lab_status.hpp"
#include "topology/graphviz.hpp"
#include "topology/lab_graph.hpp"

namespace vpnlab::cli {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The running lab's status, or null (not up, or not root: the control sockets are 0600).
nlohmann::json running_status(const topology::Lab& lab, const topology::LabPlan& plan) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "vpnlab graph: not root, so the gateways' states are not read (grey)\n");
    return nullptr;
  }
  LabStatus st = collect_status(lab, plan);
  if (st.namespaces_present == 0) return nullptr;
  std::time_t t = std::time(nullptr);
  char now[32];
  std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  st.merged["time"] = now;
  return st.merged;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (out) return true;
  std::fprintf(stderr, "vpnlab graph: cannot write %s\n", path.c_str());
  return false;
}

}  // namespace

int cmd_graph(const LabSource& src, const GraphOptions& opt) {
  if (!opt.output.empty() && !ends_with(opt.output, ".dot") && !ends_with(opt.output, ".svg")) {
    std::fprintf(stderr, "vpnlab graph: -o %s: the file name must end in .dot or .svg\n",
                 opt.output.c_str());
    return 1;
  }
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  auto plan = topology::compile(*lab);
  std::string dot = topology::lab_dot(plan, running_status(*lab, plan));
  if (opt.output.empty()) {
    std::fputs(dot.c_str(), stdout);
    return 0;
  }
  if (ends_with(opt.output, ".dot")) return write_file(opt.output, dot) ? 0 : 1;
  auto svg = topology::render_svg(dot);
  if (!svg) {
    std::fprintf(stderr, "vpnlab graph: %s\n", svg.error().message.c_str());
    return 1;
  }
  return write_file(opt.output, *svg) ? 0 : 1;
}

}  // namespace vpnlab::cli
