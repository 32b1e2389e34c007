#pragma once
// Runs a shell command for a test and returns what it printed (stdout and stderr), e.g.
// tshark reading a file a test wrote. Tests build the command from their own paths only.
#include <cstdio>
#include <string>

namespace vpnlab::testing {

inline std::string run_command(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen((cmd + " 2>&1").c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}

}  // namespace vpnlab::testing
