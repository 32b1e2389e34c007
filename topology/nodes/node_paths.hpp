#pragma once
// Where a node run by real software keeps its files: <lab run dir>/<node>.<what>
// (config, PID files, control sockets, logs), so several labs and test peers coexist.

#include <string>

namespace vpnlab::topology::nodes {

struct NodePaths {
  std::string dir, node;  // <lab run dir>, node name e.g. azure-gw0
  std::string file(const std::string& what) const { return dir + "/" + node + "." + what; }
};

}  // namespace vpnlab::topology::nodes
