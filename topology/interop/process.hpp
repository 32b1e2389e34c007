#pragma once
// Runs a program to completion and captures what it printed (stdout and stderr together):
// the interop runner drives the vpnlab binary as a user would. No shell: argv is passed as
// is, so lab names and paths are never interpreted.

#include <string>
#include <vector>

namespace vpnlab::topology::interop {

struct ProcessResult {
  int status = -1;  // exit code; -1 if it could not run or was killed
  std::string output;
};

ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace vpnlab::topology::interop
