#pragma once
// Files that hold secrets (swanctl.conf with the PSKs, the external node's command, PID
// files next to them): created 0600 whatever the umask, as the gateway plans are.
#include <sys/stat.h>

#include <fstream>
#include <string>

namespace vpnlab::topology::nodes {

inline bool write_private(const std::string& path, const std::string& text) {
  mode_t old = ::umask(0077);
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  ::umask(old);
  return static_cast<bool>(out);
}

}  // namespace vpnlab::topology::nodes
