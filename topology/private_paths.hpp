#pragma once
// The run directory (/run/vpnlab/<lab>) holds what must stay root's alone: the lab file and
// the gateways' plans (PSKs), the control sockets (SA keys for capture), logs and PID files.
// Each lab process checks, before it trusts or adds to them, that they are root-only
// (owner root, no group or other permission bits: 0700 directories, 0600 files), and
// refuses otherwise with an error naming the path and its mode: a file others could read
// may already have leaked, and one they could write may have been swapped.

#include <string>

#include "base/result.hpp"

namespace vpnlab::topology {

/// A directory owned by root with no group/other bits (0700).
Checked<void> check_private_dir(const std::string& path);
/// A file or socket owned by root with no group/other bits (0600).
Checked<void> check_private_file(const std::string& path);
/// The file behind an open descriptor (a process's log on stdout/stderr), when it is a
/// regular file: as check_private_file, named by its path. Pipes and terminals pass.
Checked<void> check_private_fd(int fd);

}  // namespace vpnlab::topology
