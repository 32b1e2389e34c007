// vpnlab probe [FILE | --lab NAME]: a sequenced UDP stream between the VNet VM and the VPC
// host of a running lab, both directions (topology/probe_stream.hpp), for --seconds or until
// SIGINT/SIGTERM; then what was sent and lost each way, with every run of losses and when it
// started (--json: the document soaks read, topology/probe_report.hpp).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/commands.hpp"
#include "topology/probe_report.hpp"

namespace vpnlab::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

}  // namespace

int cmd_probe(const LabSource& src, const ProbeCmdOptions& opt) {
  auto lab = load_valid_lab(src, true);
  if (!lab) return 1;
  if (opt.rate_pps < 1 || opt.rate_pps > 100000) {
    std::fprintf(stderr, "vpnlab probe: --rate %d is outside 1-100000 datagrams/s\n", opt.rate_pps);
    return 1;
  }
  auto plan = topology::compile(*lab);
  const std::string& name = lab->lab.name;
  topology::ProbeEndpoint vm{name + "-vnet-vm", plan.addresses.vm, opt.port};
  topology::ProbeEndpoint host{name + "-vpc-host", plan.addresses.vpc_host, opt.port};
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  auto stream = topology::ProbeStream::start(
      vm, host, topology::ProbeOptions{opt.rate_pps, std::chrono::milliseconds(500)});
  if (!stream) {
    std::fprintf(stderr, "vpnlab probe: %s (is the lab up?)\n", stream.error().message.c_str());
    return 1;
  }
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(opt.seconds);
  while (!g_stop && (opt.seconds <= 0 || std::chrono::steady_clock::now() < end))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  topology::ProbeReport r = (*stream)->stop();
  if (opt.json) {
    std::printf("%s\n", topology::probe_report_json(r, opt.rate_pps).dump(1).c_str());
  } else {
    std::printf("probe stream %s (%s) <-> %s (%s), %d datagrams/s each way\n%s", vm.netns.c_str(),
                vm.address.to_string().c_str(), host.netns.c_str(),
                host.address.to_string().c_str(), opt.rate_pps,
                topology::probe_report_text(r, "vm", "host").c_str());
  }
  return r.a_to_b.received > 0 && r.b_to_a.received > 0 ? 0 : 1;
}

}  // namespace vpnlab::cli
