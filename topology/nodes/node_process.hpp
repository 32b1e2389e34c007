#pragma once
// Process handling shared by the nodes run by routing daemons (FRR, BIRD): start a daemon in
// the node's namespace, wait until its control socket answers, find it again later by its
// PID file (checking /proc/<pid>/cmdline so a recycled PID is never signalled), stop it,
// and run its CLI (vtysh, birdc) to read status.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vpnlab::topology::nodes {

/// Starts argv (argv[0] an absolute path) in netns with output appended to log_path, then
/// waits until `ready_path` exists (a socket or PID file the daemon creates when it is up).
/// Errors: the binary is missing, the process exits early or `ready_path` does not appear in
/// `timeout` - each with the tail of the log.
Checked<pid_t> start_daemon(const std::string& netns, const std::vector<std::string>& argv,
                            const std::string& log_path, const std::string& ready_path,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The PID in pid_file if that process is alive and its command line holds both `binary`
/// and `marker` (an argument only this node's daemon has, e.g. its config path); else 0.
pid_t daemon_pid(const std::string& pid_file, const std::string& binary, const std::string& marker);

/// SIGTERM, then SIGKILL after `grace`; waits for the process to go (reaps our children).
void stop_pid(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(3));

bool process_alive(pid_t pid);

/// Runs argv (no shell) and returns its stdout; stderr is appended when the exit status is
/// not 0 and the run is an error. Killed after `timeout`.
Checked<std::string> run_capture(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// The last lines of a log file, for error messages.
std::string log_tail(const std::string& path, std::size_t lines = 8);

/// The whole file, or "" if it cannot be read.
std::string read_text(const std::string& path);

/// Writes text to path (mode 0644: no secrets in routing configs); false on failure.
bool write_text(const std::string& path, const std::string& text);

}  // namespace vpnlab::topology::nodes
