#include "topology/supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/errors.hpp"
#include "base/log.hpp"
#include "dataplane/linux/netns.hpp"
#include "topology/control_client.hpp"
#include "topology/fabric.hpp"
#include "topology/nodes/real_node.hpp"
#include "topology/privileges.hpp"
#include "topology/underlay.hpp"

namespace vpnlab::topology {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string log_tail(const std::string& path) {
  std::string text = read_file(path);
  std::size_t lines = 0, at = text.size();
  while (at > 0 && lines < 8) {
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) {
      at = 0;
      break;
    }
    ++lines;
  }
  return text.substr(at);
}

bool write_private(const std::string& path, const std::string& text) {
  mode_t old = ::umask(0077);
  std::ofstream out(path, std::ios::trunc);
  out << text;
  ::umask(old);
  return static_cast<bool>(out);
}

// The PID file may outlive its process and the PID be reused: only a process whose command
// line is `... gateway --config <this plan>` counts.
bool is_our_gateway(int pid, const std::string& plan_path) {
  std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmdline) {
    if (c == '\0') c = ' ';
  }
  return cmdline.find(" gateway ") != std::string::npos &&
         cmdline.find(plan_path) != std::string::npos;
}

bool alive(int pid) {
  // Reap it if it is our child and has exited.
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace

int running_gateway_pid(const RunPaths& paths, const std::string& node) {
  std::string text = read_file(paths.pid(node));
  if (text.empty()) return 0;
  int pid = std::atoi(text.c_str());
  return pid > 0 && alive(pid) && is_our_gateway(pid, paths.plan(node)) ? pid : 0;
}

Checked<std::vector<GatewayStart>> start_gateways(const LabPlan& plan, const RunPaths& paths,
                                                  const std::string& exe) {
  std::filesystem::create_directories(paths.dir);
  ::chmod(paths.dir.c_str(), 0700);
  std::vector<GatewayStart> out;
  for (const auto& g : plan.gateways) {
    if (nodes::is_real(g)) continue;  // started by nodes::start_node
    if (int pid = running_gateway_pid(paths, g.node)) {
      out.push_back({g.node, pid, true});
      continue;
    }
    if (!write_private(paths.plan(g.node), plan_to_yaml(g))) {
      return fail(make_error_code(errc::io_error), "cannot write " + paths.plan(g.node));
    }
    ::unlink(paths.socket(g.node).c_str());
    auto pid = dataplane::spawn_in_netns(
        g.netns, {exe, "gateway", "--config", paths.plan(g.node), "--socket", paths.socket(g.node)},
        paths.log(g.node));
    if (!pid) return Unexpected{pid.error()};
    write_private(paths.pid(g.node), std::to_string(*pid) + "\n");
    out.push_back({g.node, *pid, false});
  }
  // Wait until every gateway answers; a gateway that exits early shows its log.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (const auto& s : out) {
    for (;;) {
      if (control_request(paths.socket(s.node), {{"command", "status"}},
                          std::chrono::milliseconds(500)))
        break;
      if (!alive(s.pid)) {
        return fail(make_error_code(errc::io_error),
                    "gateway " + s.node + " exited; its log (" + paths.log(s.node) +
                        ") ends with:" + log_tail(paths.log(s.node)));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return fail(
            std::make_error_code(std::errc::timed_out),
            "gateway " + s.node + " did not answer on " + paths.socket(s.node) + " within 10 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return out;
}

std::vector<std::string> stop_gateways(const LabPlan& plan, const RunPaths& paths) {
  std::vector<std::pair<std::string, int>> running;
  for (const auto& g : plan.gateways) {
    if (int pid = running_gateway_pid(paths, g.node)) {
      ::kill(pid, SIGTERM);
      running.emplace_back(g.node, pid);
    }
    ::unlink(paths.pid(g.node).c_str());
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  std::vector<std::string> stopped;
  for (const auto& [node, pid] : running) {
    while (alive(pid) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (alive(pid)) ::kill(pid, SIGKILL);
    stopped.push_back(node);
  }
  return stopped;
}

}  // namespace vpnlab::topology

namespace vpnlab::topology {
namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}
}  // namespace

Checked<int> start_supervisor(const RunPaths& paths, const std::string& lab_name,
                              const std::string& exe) {
  std::string pid_file = paths.dir + "/supervisor.pid";
  std::string text = read_file(pid_file);
  int old = std::atoi(text.c_str());
  if (old > 0 && alive(old)) return old;
  pid_t pid = ::fork();
  if (pid < 0) return fail(errno_code(errno), "fork the lab supervisor");
  if (pid == 0) {
    ::setsid();
    int log = ::open((paths.dir + "/supervisor.log").c_str(),
                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    ::execl(exe.c_str(), exe.c_str(), "supervise", "--lab", lab_name.c_str(), nullptr);
    ::_exit(127);
  }
  write_private(pid_file, std::to_string(pid) + "\n");
  return pid;
}

int running_supervisor_pid(const RunPaths& paths) {
  int pid = std::atoi(read_file(paths.dir + "/supervisor.pid").c_str());
  if (pid <= 0 || !alive(pid)) return 0;
  std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  return cmdline.find("supervise") == std::string::npos ? 0 : pid;  // else the PID was reused
}

bool stop_supervisor(const RunPaths& paths) {
  int pid = running_supervisor_pid(paths);
  ::unlink((paths.dir + "/supervisor.pid").c_str());
  if (pid == 0) return false;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 300 && alive(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (alive(pid)) ::kill(pid, SIGKILL);
  return true;
}

int run_supervisor(const LabPlan& plan, const RunPaths& paths, std::chrono::milliseconds period) {
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  LabAddresses addresses = plan.addresses;
  auto sockets = open_fabric_sockets(plan);
  if (!sockets) {
    VPNLAB_LOG(error, "sup", "route propagation: %s", sockets.error().message.c_str());
    return 1;
  }
  // After the fabric's netlink sockets are open, route changes through them are all that
  // needs a capability (CAP_NET_ADMIN); status comes over the gateways' root-only sockets.
  auto dropped = drop_privileges(
      {{Capability::net_admin, "route propagation into the VNet and VPC over netlink"}});
  if (!dropped) {
    VPNLAB_LOG(error, "sup", "%s", dropped.error().message.c_str());
    return 1;
  }
  VPNLAB_LOG(info, "sup", "%s", dropped->c_str());
  VPNLAB_LOG(info, "sup", "lab supervisor started (route propagation every %lld ms)",
             static_cast<long long>(period.count()));
  while (!g_stop && underlay_present(plan.underlay)) {
    nlohmann::json status = nodes::gateways_status(plan, paths, period);
    auto changed = apply_fabric_routes(desired_fabric_routes(plan, addresses, status), *sockets);
    if (!changed) {
      VPNLAB_LOG(warn, "sup", "route propagation: %s", changed.error().message.c_str());
    } else if (*changed > 0) {
      VPNLAB_LOG(info, "sup", "route propagation: %d route(s) changed", *changed);
    }
    std::this_thread::sleep_for(period);
  }
  VPNLAB_LOG(info, "sup", "lab supervisor stopped");
  return 0;
}

}  // namespace vpnlab::topology
