#pragma once
// Least privilege for the long-running lab processes (issue 12 "Least privilege and
// secrets"): once a gateway has its namespace, TUN devices, sockets and BGP listeners, and
// once the supervisor has its netlink sockets, each keeps only the capabilities it still
// uses, can never regain others (no_new_privs, a reduced bounding set), and cannot be
// dumped or traced by anyone but a holder of CAP_SYS_PTRACE (it holds IKE and ESP keys and
// PSKs in memory: PR_SET_DUMPABLE 0, RLIMIT_CORE 0).

#include <linux/capability.h>

#include <string>
#include <vector>

#include "base/result.hpp"

namespace vpnlab::topology {

/// A Linux capability (capabilities(7)); the values are the kernel's numbers. Only those
/// a lab process keeps after setup are listed.
enum class Capability : int {
  net_admin = CAP_NET_ADMIN,  // netlink: routes, links, addresses
};

/// A capability kept, and why (logged at start).
struct KeptCapability {
  Capability cap;
  const char* why;
};

/// Drops every capability not in `keep` from the permitted, effective, inheritable, ambient
/// and bounding sets of the calling thread, then sets PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE 0
/// and RLIMIT_CORE 0. Capabilities are per thread and a thread inherits its creator's, so
/// this must run while the process has one thread (checked: an error otherwise). Returns
/// the line to log ("kept CAP_NET_ADMIN (...); dropped 40 others; ...").
Checked<std::string> drop_privileges(const std::vector<KeptCapability>& keep);

/// "CAP_NET_ADMIN", ... (capabilities(7) spelling).
std::string capability_name(Capability c);

}  // namespace vpnlab::topology
