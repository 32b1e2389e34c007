#include "topology/privileges.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/errors.hpp"

namespace vpnlab::topology {
namespace {

Unexpected<Error> sys_error(const std::string& what) {
  int err = errno;
  return fail(errno_code(err), "dropping privileges: " + what + ": " + std::strerror(err));
}

// The highest capability this kernel knows (capabilities(7): /proc/sys/kernel/cap_last_cap).
int last_capability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = CAP_LAST_CAP;
  in >> last;
  return last;
}

std::size_t thread_count() {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

// capset(2) with the v3 ABI: two 32-bit words per set.
Checked<void> set_capabilities(const std::vector<KeptCapability>& keep) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (const auto& k : keep) {
    int c = static_cast<int>(k.cap);
    data[CAP_TO_INDEX(c)].permitted |= CAP_TO_MASK(c);
    data[CAP_TO_INDEX(c)].effective |= CAP_TO_MASK(c);
  }
  if (::syscall(SYS_capset, &header, data) != 0) return sys_error("capset");
  return {};
}

}  // namespace

std::string capability_name(Capability c) {
  switch (c) {
    case Capability::net_admin:
      return "CAP_NET_ADMIN";
  }
  return "CAP_" + std::to_string(static_cast<int>(c));
}

Checked<std::string> drop_privileges(const std::vector<KeptCapability>& keep) {
  if (std::size_t n = thread_count(); n != 1) {
    return fail(std::make_error_code(std::errc::operation_not_permitted),
                "dropping privileges: the process already has " + std::to_string(n) +
                    " threads; capabilities are per thread, so drop them before any starts");
  }
  // The bounding set first: dropping from it needs CAP_SETPCAP, which capset removes.
  int dropped = 0;
  for (int c = 0; c <= last_capability(); ++c) {
    bool kept = false;
    for (const auto& k : keep) kept = kept || static_cast<int>(k.cap) == c;
    if (kept) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) {
      return sys_error("PR_CAPBSET_DROP " + std::to_string(c));
    }
    ++dropped;
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return sys_error("PR_CAP_AMBIENT_CLEAR_ALL");
  }
  if (auto rc = set_capabilities(keep); !rc) return Unexpected{rc.error()};
  // No exec can add privileges again (setuid binaries, file capabilities).
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return sys_error("PR_SET_NO_NEW_PRIVS");
  // Keys and PSKs in memory: no core dump, and /proc/<pid>/mem, environ and ptrace only for
  // a holder of CAP_SYS_PTRACE (ptrace(2) "Ptrace access mode checking").
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return sys_error("PR_SET_DUMPABLE 0");
  rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) return sys_error("RLIMIT_CORE 0");
  std::string line = "privileges: kept";
  for (std::size_t i = 0; i < keep.size(); ++i) {
    line += (i ? ", " : " ") + capability_name(keep[i].cap) + " (" + keep[i].why + ")";
  }
  if (keep.empty()) line += " no capability";
  line += "; dropped the other " + std::to_string(dropped) +
          " from every set; no_new_privs, not dumpable, no core dumps";
  return line;
}

}  // namespace vpnlab::topology
