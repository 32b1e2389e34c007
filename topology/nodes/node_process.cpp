#include "topology/nodes/node_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/errors.hpp"
#include "dataplane/linux/netns.hpp"

namespace vpnlab::topology::nodes {
namespace {

using Clock = std::chrono::steady_clock;

// Reads both pipes until they close or the deadline passes; false on timeout.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, Clock::time_point until) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    if (::poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  return true;
}

}  // namespace

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // our child, exited: reaped
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::string log_tail(const std::string& path, std::size_t lines) {
  std::string text = read_text(path);
  std::size_t at = text.size(), seen = 0;
  while (at > 0 && seen <= lines) {
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) return text;
    ++seen;
  }
  return text.substr(at);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out) && ::chmod(path.c_str(), 0644) == 0;
}

Checked<pid_t> start_daemon(const std::string& netns, const std::vector<std::string>& argv,
                            const std::string& log_path, const std::string& ready_path,
                            std::chrono::milliseconds timeout) {
  if (argv.empty() || ::access(argv[0].c_str(), X_OK) != 0) {
    return fail(make_error_code(errc::not_found),
                (argv.empty() ? std::string("(none)") : argv[0]) + " is not installed");
  }
  ::unlink(ready_path.c_str());
  auto pid = dataplane::spawn_in_netns(netns, argv, log_path);
  if (!pid) return Unexpected{pid.error()};
  const auto until = Clock::now() + timeout;
  while (::access(ready_path.c_str(), F_OK) != 0) {
    if (!process_alive(*pid)) {
      return fail(make_error_code(errc::io_error), argv[0] + " exited at start in " + netns + "; " +
                                                       log_path +
                                                       " ends with:" + log_tail(log_path));
    }
    if (Clock::now() > until) {
      stop_pid(*pid);
      return fail(std::make_error_code(std::errc::timed_out),
                  argv[0] + " did not create " + ready_path + " in time; " + log_path +
                      " ends with:" + log_tail(log_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return *pid;
}

pid_t daemon_pid(const std::string& pid_file, const std::string& binary,
                 const std::string& marker) {
  pid_t pid = static_cast<pid_t>(std::atoi(read_text(pid_file).c_str()));
  if (pid <= 0 || !process_alive(pid)) return 0;
  std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmdline) {
    if (c == '\0') c = '\n';
  }
  cmdline = "\n" + cmdline;
  bool ours = cmdline.find("\n" + binary + "\n") != std::string::npos &&
              cmdline.find(marker) != std::string::npos;
  return ours ? pid : 0;
}

void stop_pid(pid_t pid, std::chrono::milliseconds grace) {
  if (!process_alive(pid)) return;
  ::kill(pid, SIGTERM);
  const auto until = Clock::now() + grace;
  while (process_alive(pid) && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!process_alive(pid)) return;
  ::kill(pid, SIGKILL);
  while (process_alive(pid)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

Checked<std::string> run_capture(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return fail(errno_code(errno), "pipe for " + argv[0]);
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return fail(errno_code(errno), "pipe for " + argv[0]);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  std::string text, errors;
  bool done = pid > 0 && drain(out[0], err[0], text, errors, Clock::now() + timeout);
  ::close(out[0]);
  ::close(err[0]);
  if (pid < 0) return fail(errno_code(errno), "fork for " + argv[0]);
  if (!done) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!done) return fail(std::make_error_code(std::errc::timed_out), argv[0] + " timed out");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(make_error_code(errc::io_error),
                argv[0] + " failed (status " + std::to_string(status) + "): " + errors + text);
  }
  return text;
}

}  // namespace vpnlab::topology::nodes
