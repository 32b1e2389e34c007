#include "topology/graphviz.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "base/errors.hpp"
#include "topology/nodes/node_process.hpp"

namespace vpnlab::topology {
namespace {

std::string find_on_path(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

Checked<std::string> render_svg(const std::string& dot_text) {
  std::string dot = find_on_path("dot");
  if (dot.empty()) {
    return fail(make_error_code(errc::not_found),
                "'dot' (Graphviz) is not on PATH: install the Debian package graphviz "
                "(scripts/install-deps.sh does), or write DOT with -o FILE.dot");
  }
  // dot reads a file argument; run_capture gives the child no stdin.
  char tmpl[] = "/tmp/vpnlab-graph-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) return fail(errno_code(errno), std::string("temporary file ") + tmpl);
  ::close(fd);
  bool written = nodes::write_text(tmpl, dot_text);
  auto svg = written ? nodes::run_capture({dot, "-Tsvg", tmpl}, std::chrono::seconds(30))
                     : Checked<std::string>(fail(make_error_code(errc::io_error),
                                                 std::string("cannot write ") + tmpl));
  std::filesystem::remove(tmpl);
  return svg;
}

}  // namespace vpnlab::topology
