#pragma once
// The scenario topology for dataplane netns tests, built with netlink (no `ip` calls):
//
//   hA 10.1.0.2/24 lan0 -- lan0 10.1.0.1/24 [gA] wan0 192.0.2.1/24
//                                              ==== veth underlay ====
//   hB 10.2.0.2/24 lan0 -- lan0 10.2.0.1/24 [gB] wan0 192.0.2.2/24
//   gA, gB: vpnlab_dp_manual with one TUN "vpn0" (169.254.10.1/30 <-> .2), routes for the
//   far LAN into it.
//
// Namespaces are named vpnlab-t-<pid>-<case>-<node> (another family prefix may replace
// vpnlab-t). The guard kills the processes it
// started (by PID, SIGTERM then SIGKILL) and deletes its namespaces on every exit path.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/linux/netlink.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::dataplane::testing {

inline Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}

/// Waits for a child up to `limit`; returns its exit status, or -1 (still running).
inline int wait_child(pid_t pid, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return -2;
    if (std::chrono::steady_clock::now() > end) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Scenario {
 public:
  /// `family`: the first part of the namespace names (a test family's own prefix).
  explicit Scenario(const std::string& tag, const std::string& family = "vpnlab-t")
      : prefix_(family + "-" + std::to_string(::getpid()) + "-" + tag + "-"),
        dir_("/tmp/" + prefix_ + "XXXXXX") {
    sweep();
    char* d = ::mkdtemp(dir_.data());
    if (d == nullptr) dir_.clear();
  }
  ~Scenario() {
    std::vector<pid_t> running = pids_;  // stop() edits pids_
    for (pid_t p : running) stop(p);
    for (const auto& n : names_) (void)delete_netns(n);
    if (!dir_.empty() && std::getenv("VPNLAB_KEEP") == nullptr) {
      std::string cmd = "rm -rf '" + dir_ + "'";
      [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
  }
  const std::string& dir() const { return dir_; }
  std::string ns(const std::string& node) const { return prefix_ + node; }
  /// Deletes this namespace at the end too (one the test created itself).
  void adopt(const std::string& name) { names_.push_back(name); }

  /// Builds the four namespaces and links; returns an error message or "".
  std::string build() {
    for (const char* n : {"hA", "gA", "gB", "hB"}) {
      names_.push_back(ns(n));
      if (auto r = create_netns(ns(n)); !r) return r.error().message;
    }
    if (auto e = link("hA", "lan0", "gA", "lan0"); !e.empty()) return e;
    if (auto e = link("gA", "wan0", "gB", "wan0"); !e.empty()) return e;
    if (auto e = link("gB", "lan0", "hB", "lan0"); !e.empty()) return e;
    struct Addr {
      const char *node, *dev, *address;
    };
    for (auto a : {Addr{"hA", "lan0", "10.1.0.2"}, Addr{"gA", "lan0", "10.1.0.1"},
                   Addr{"gA", "wan0", "192.0.2.1"}, Addr{"gB", "wan0", "192.0.2.2"},
                   Addr{"gB", "lan0", "10.2.0.1"}, Addr{"hB", "lan0", "10.2.0.2"}}) {
      auto nl = Netlink::open_in(ns(a.node));
      if (!nl) return nl.error().message;
      if (auto r = nl->add_address(a.dev, ip(a.address), 24); !r) return r.error().message;
      if (auto r = nl->set_up(a.dev); !r) return r.error().message;
      if (auto r = nl->set_up("lo"); !r) return r.error().message;
    }
    for (auto [host, gw] : {std::pair{"hA", "10.1.0.1"}, std::pair{"hB", "10.2.0.1"}}) {
      auto nl = Netlink::open_in(ns(host));
      if (!nl) return nl.error().message;
      auto r = nl->replace_route(*Ipv4Prefix::parse("0.0.0.0/0"), {NextHop{"lan0", ip(gw)}});
      if (!r) return r.error().message;
    }
    for (const char* g : {"gA", "gB"}) {
      if (auto r = netns_sysctl(ns(g), "net/ipv4/ip_forward", "1"); !r) return r.error().message;
    }
    return "";
  }

  /// Starts argv in a node's namespace, output to dir/<log>; tracked for cleanup.
  pid_t spawn(const std::string& node, const std::vector<std::string>& argv,
              const std::string& log) {
    auto pid = spawn_in_netns(ns(node), argv, dir_ + "/" + log);
    if (!pid) return -1;
    pids_.push_back(*pid);
    return *pid;
  }
  /// Runs argv to completion (at most `limit`); returns its exit status (-1: timed out).
  int run(const std::string& node, const std::vector<std::string>& argv, const std::string& log,
          std::chrono::milliseconds limit) {
    pid_t pid = spawn(node, argv, log);
    if (pid < 0) return -3;
    int rc = wait_child(pid, limit);
    if (rc != -1) forget(pid);
    return rc;
  }
  /// SIGTERM, then SIGKILL after 3 s; returns the exit status.
  int stop(pid_t pid) {
    ::kill(pid, SIGTERM);
    int rc = wait_child(pid, std::chrono::seconds(3));
    if (rc == -1) {
      ::kill(pid, SIGKILL);
      rc = wait_child(pid, std::chrono::seconds(3));
    }
    forget(pid);
    return rc;
  }
  /// Waits until dir/<log> contains `text` (a process announcing readiness).
  bool wait_for_text(const std::string& log, const std::string& text,
                     std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (read_file(dir_ + "/" + log).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  std::string link(const char* a, const char* a_dev, const char* b, const char* b_dev) {
    auto nl = Netlink::open_in(ns(a));
    if (!nl) return nl.error().message;
    auto fd = open_netns_fd(ns(b));
    if (!fd) return fd.error().message;
    auto r = nl->add_veth(a_dev, b_dev, *fd);
    ::close(*fd);
    return r ? "" : r.error().message;
  }
  void forget(pid_t pid) {
    for (auto it = pids_.begin(); it != pids_.end(); ++it) {
      if (*it == pid) {
        pids_.erase(it);
        return;
      }
    }
  }
  // Leftovers of an earlier run of this very process id and tag only.
  void sweep() {
    for (const auto& n : list_netns(prefix_)) (void)delete_netns(n);
  }

  std::string prefix_;
  std::string dir_;
  std::vector<std::string> names_;
  std::vector<pid_t> pids_;
};

}  // namespace vpnlab::dataplane::testing
