#pragma once
// Helpers for the FRR interop scenario: commands echoed with their namespace, an RAII
// guard that deletes this test's namespaces and kills the processes it started (by PID),
// and a poll with a deadline for conditions on real external processes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vpnlab::bgp::test {

inline int sh(const std::string& cmd) {
  std::printf("+ %s\n", cmd.c_str());
  std::fflush(stdout);
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    ::pclose(p);
  }
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Polls cond every 100 ms until it holds or timeout passes (real processes, real time).
inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return cond();
}

/// Namespaces and processes of one test run; everything is undone on every exit path.
class Env {
 public:
  explicit Env(std::string prefix) : prefix_(std::move(prefix)) { sweep(); }
  ~Env() {
    for (pid_t pid : pids_) {
      ::kill(pid, SIGCONT);
      ::kill(pid, SIGTERM);
    }
    for (pid_t pid : pids_) {
      for (int i = 0; i < 30 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    sweep();
  }
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  std::string ns(const std::string& name) {
    std::string full = prefix_ + "-" + name;
    sh("ip netns add " + full);
    return full;
  }
  /// Starts argv inside namespace ns; the child's PID is the command's (ip netns exec
  /// execs it), kept for cleanup.
  pid_t spawn(const std::string& netns, std::vector<std::string> argv,
              const std::string& log_path) {
    std::vector<std::string> full = {"ip", "netns", "exec", netns};
    full.insert(full.end(), argv.begin(), argv.end());
    std::string echo;
    for (const auto& a : full) echo += a + " ";
    std::printf("+ %s> %s &\n", echo.c_str(), log_path.c_str());
    pid_t pid = ::fork();
    if (pid == 0) {
      FILE* log = std::fopen(log_path.c_str(), "w");
      if (log) {
        ::dup2(fileno(log), 1);
        ::dup2(fileno(log), 2);
      }
      std::vector<char*> args;
      for (auto& a : full) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp("ip", args.data());
      ::_exit(127);
    }
    pids_.push_back(pid);
    return pid;
  }

 private:
  void sweep() {
    // Leftovers of this prefix only (an earlier crashed run of this same PID).
    std::istringstream names(capture("ip netns list"));
    std::string line;
    while (std::getline(names, line)) {
      std::string name = line.substr(0, line.find(' '));
      if (name.rfind(prefix_ + "-", 0) == 0) sh("ip netns del " + name);
    }
  }
  std::string prefix_;
  std::vector<pid_t> pids_;
};

}  // namespace vpnlab::bgp::test
