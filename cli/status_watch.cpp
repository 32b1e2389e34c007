// vpnlab status --watch [--interval S]: the consoles redrawn in place, as `watch vpnlab status`
// would (cursor home + clear, a header with the time), until SIGINT. Made for drills: a lab
// that is not up, a gateway that was killed or is restarting, is a line in the frame, never
// an exit. The ICMP mesh probe of plain `status` is left out (it would stall a frame for its
// 3 s timeout whenever a gateway is down).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>

#include "cli/commands.hpp"
#include "cli/consoles.hpp"
#include "cli/lab_status.hpp"
#include "cli/sas_text.hpp"

namespace vpnlab::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_sigint(int) {
  g_stop = 1;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string frame(const topology::Lab& lab, const topology::LabPlan& plan,
                  const StatusOptions& opt) {
  char head[256];
  std::snprintf(head, sizeof head, "Every %.1fs: vpnlab status --watch  lab '%s'  %s\n\n",
                opt.interval_s, lab.lab.name.c_str(), utc_now().c_str());
  std::string out = head;
  LabStatus st = collect_status(lab, plan);
  out += "lab '" + lab.lab.name + "': " + std::to_string(st.namespaces_present) + "/" +
         std::to_string(st.namespaces) + " namespaces present" +
         (st.namespaces_present == 0 ? " (not up: vpnlab up)" : "") + "\n";
  out += st.namespaces_present == 0 ? std::string("gateways: none running\n\n")
                                    : gateways_line(st.merged["gateways"]) + "\n";
  out += render_consoles(st.merged);
  if (opt.sas) out += "\nIKE and CHILD SAs\n" + render_sas(st.merged["gateways"]);
  return out;
}

}  // namespace

int watch_status(const topology::Lab& lab, const topology::LabPlan& plan,
                 const StatusOptions& opt) {
  struct sigaction sa = {};
  sa.sa_handler = on_sigint;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  auto interval = std::chrono::duration<double>(opt.interval_s > 0.1 ? opt.interval_s : 0.1);
  while (!g_stop) {
    auto next = std::chrono::steady_clock::now() + interval;
    std::string text = frame(lab, plan, opt);
    // ESC[H ESC[2J: cursor home, clear screen (ECMA-48 CUP, ED) - what watch(1) redraws with.
    // Piped, frames are separated by a form feed instead, so a log of them stays readable.
    std::fputs(tty ? "\x1b[H\x1b[2J" : "\f\n", stdout);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    while (!g_stop && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return 0;
}

}  // namespace vpnlab::cli
