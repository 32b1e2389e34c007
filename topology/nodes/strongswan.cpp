// charon for a gateway node: start in the node's namespace with a private /run, load the
// generated swanctl.conf, give ipsec0 the APIPA addresses, stop by PID, drills over vici.
//
// Why the APIPA addresses go on ipsec0 (not /32 on lo): the /30 on ipsec0 gives the
// connected route to the peer's inside address through the one device kernel-libipsec
// reads, so bgpd/BIRD bind to the address and reach the peer with no extra routes, and the
// BGP-learned routes (next hop = the peer's inside address) resolve onto ipsec0 as well.
// While a tunnel has no CHILD_SA, libipsec finds no policy and drops the session's packets:
// the BGP session lives only while its tunnel is up, as in the clouds.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/errors.hpp"
#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netns.hpp"
#include "topology/nodes/node_process.hpp"
#include "topology/nodes/private_file.hpp"
#include "topology/nodes/strongswan.hpp"
#include "topology/nodes/vici.hpp"

namespace vpnlab::topology::nodes {
namespace {

using Clock = std::chrono::steady_clock;

std::string vici_path(const NodePaths& p) {
  return p.file("charon.vici");
}

// charon writes its PID file to the compiled-in /run/charon.pid, so each charon gets a
// private /run (a directory of the node) in its own mount namespace; the lab's run
// directory is bound back inside it so charon finds its config, socket and log paths.
std::vector<std::string> charon_argv(const NodePaths& p) {
  std::string priv = p.file("charon.run"), rel;
  if (p.dir.rfind("/run/", 0) == 0) rel = p.dir.substr(5);
  const char* script =
      "mkdir -p \"$1/$2\" && if [ -n \"$2\" ]; then mount --bind \"$3\" \"$1/$2\"; fi && "
      "mount --rbind \"$1\" /run && STRONGSWAN_CONF=\"$4\" exec \"$5\"";
  return {"/usr/bin/unshare",
          "--mount",
          "--propagation",
          "private",
          "/bin/sh",
          "-c",
          script,
          "sh",
          priv,
          rel,
          p.dir,
          p.file("strongswan.conf"),
          kCharon};
}

// kernel-libipsec creates ipsec0 while charon loads its plugins; then the addresses.
Checked<void> setup_ipsec0(const GatewayPlan& plan) {
  auto nl = dataplane::Netlink::open_in(plan.netns);
  if (!nl) return Unexpected{nl.error()};
  auto until = Clock::now() + std::chrono::seconds(5);
  while (!nl->link("ipsec0")) {
    if (Clock::now() > until)
      return fail(make_error_code(errc::not_found), "charon created no ipsec0 in " + plan.netns);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (auto rc = nl->set_up("ipsec0"); !rc) return rc;
  auto have = nl->addresses();
  for (const auto& t : plan.tunnels) {
    bool present = false;
    if (have) {
      for (const auto& a : *have) present = present || a.address == t.local_inside;
    }
    if (present) continue;
    if (auto rc = nl->add_address("ipsec0", t.local_inside, t.inside.length); !rc) {
      return fail(rc.error().code,
                  "ipsec0 " + t.local_inside.to_string() + ": " + rc.error().message);
    }
  }
  return {};
}

Checked<void> load_config(const NodePaths& p) {
  auto out = run_capture({kSwanctl, "--load-all", "--noprompt", "--file", p.file("swanctl.conf"),
                          "--uri", "unix://" + vici_path(p)},
                         std::chrono::seconds(10));
  if (!out) return fail(out.error().code, "swanctl --load-all: " + out.error().message);
  return {};
}

}  // namespace

int strongswan_pid(const NodePaths& p) {
  pid_t pid = static_cast<pid_t>(std::atoi(read_text(p.file("charon.pid")).c_str()));
  if (pid <= 0 || !process_alive(pid)) return 0;
  // charon's command line is its path alone; its environment names this node's config.
  std::string env = read_text("/proc/" + std::to_string(pid) + "/environ");
  std::string cmd = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  bool ours = cmd.find("charon") != std::string::npos &&
              env.find("STRONGSWAN_CONF=" + p.file("strongswan.conf") + '\0') != std::string::npos;
  return ours ? pid : 0;
}

Checked<int> start_strongswan(const GatewayPlan& plan, const NodePaths& p) {
  if (::access(kCharon, X_OK) != 0 || ::access(kSwanctl, X_OK) != 0) {
    return fail(make_error_code(errc::not_found),
                std::string(kCharon) + " or " + kSwanctl +
                    " is not installed (Debian: strongswan-charon strongswan-swanctl "
                    "libstrongswan-standard-plugins libcharon-extra-plugins)");
  }
  if (int pid = strongswan_pid(p)) return pid;
  std::filesystem::create_directories(p.file("charon.run"));
  if (!write_private(p.file("strongswan.conf"), strongswan_config(plan, p)) ||
      !write_private(p.file("swanctl.conf"), swanctl_config(plan, true))) {
    return fail(make_error_code(errc::io_error), "cannot write the charon configs in " + p.dir);
  }
  auto pid = start_daemon(plan.netns, charon_argv(p), p.file("charon.out"), vici_path(p));
  if (!pid) return fail(pid.error().code, "charon: " + pid.error().message);
  write_private(p.file("charon.pid"), std::to_string(*pid) + "\n");
  auto ready = setup_ipsec0(plan);
  if (ready) ready = load_config(p);
  if (!ready) {
    stop_strongswan(p);
    return fail(ready.error().code, ready.error().message + "; " + p.file("charon.log") +
                                        " ends with:" + log_tail(p.file("charon.log")));
  }
  return *pid;
}

void stop_strongswan(const NodePaths& p) {
  if (int pid = strongswan_pid(p)) stop_pid(pid);
  ::unlink(p.file("charon.pid").c_str());
  ::unlink(vici_path(p).c_str());
}

Checked<std::string> strongswan_drill(const GatewayPlan& plan, const NodePaths& p,
                                      const TunnelPlan& t, const std::string& action) {
  (void)plan;
  std::string command;
  nlohmann::json args;
  if (action == "down") {
    // timeout -1: charon answers at once and sends the INFORMATIONAL DELETE in the background.
    command = "terminate";
    args = {{"ike", t.device}, {"timeout", "-1"}};
  } else if (action == "up") {
    if (t.start == IkeStart::respond_only) {
      // cloud-facts "Connection modes" [Z-MODE]: ResponderOnly never initiates.
      return std::string("responder only: waits for the peer to initiate");
    }
    command = "initiate";
    args = {{"child", t.device}, {"ike", t.device}, {"timeout", "-1"}};
  } else if (action == "rekey" || action == "rekey-ike") {
    // RFC 7296 2.8: a CHILD_SA rekey, or the IKE_SA's (CREATE_CHILD_SA either way).
    command = "rekey";
    args = {{action == "rekey" ? "child" : "ike", t.device}};
  } else {
    return fail(make_error_code(errc::invalid_value),
                "action must be up, down, rekey or rekey-ike");
  }
  auto reply = vici_command(vici_path(p), command, args);
  if (!reply) return Unexpected{reply.error()};
  if (reply->value("success", "no") != "yes") {
    // terminate finds nothing to do when the tunnel is already down: not an error.
    std::string why = reply->value("errmsg", "");
    if (action == "down" && why.find("no matching") != std::string::npos)
      return std::string("already down");
    return fail(make_error_code(errc::io_error), "charon " + command + ": " + why);
  }
  return std::string();
}

}  // namespace vpnlab::topology::nodes
