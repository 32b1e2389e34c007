#pragma once
// Named network namespaces, as `ip netns` keeps them: a bind mount of the namespace file on
// /run/netns/NAME, so that other tools (ip, iperf3, charon, bgpd) find them by name.
//
// Namespaces are per thread for the calls that use them: NetnsScope moves only the calling
// thread and moves it back when it goes out of scope. Sockets (netlink, UDP, TUN fds) keep the
// namespace they were created in, so the usual pattern is: enter, open sockets, leave.

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.hpp"

namespace vpnlab::dataplane {

inline constexpr const char* kNetnsDir = "/run/netns";

/// Creates /run/netns/NAME holding a new, empty network namespace (loopback down).
/// An existing namespace of that name is an error (already_exists) and is left alone.
Checked<void> create_netns(const std::string& name);
/// Unmounts and removes /run/netns/NAME. A missing namespace is success.
Checked<void> delete_netns(const std::string& name);
bool netns_exists(const std::string& name);
/// Names under /run/netns starting with prefix.
std::vector<std::string> list_netns(const std::string& prefix);
/// An O_RDONLY fd on the namespace (for IFLA_NET_NS_FD); caller closes it.
Checked<int> open_netns_fd(const std::string& name);

/// Writes a sysctl (e.g. "net/ipv4/ip_forward" = "1") inside the named namespace.
Checked<void> netns_sysctl(const std::string& name, const std::string& key,
                           const std::string& value);

/// Starts argv[0] (a path) in the named namespace with stdout/stderr to log_path (appended);
/// returns its PID. The child is in its own process group so it can be stopped as a unit.
Checked<pid_t> spawn_in_netns(const std::string& name, const std::vector<std::string>& argv,
                              const std::string& log_path);

/// Moves the calling thread into a named namespace until destroyed.
class NetnsScope {
 public:
  static Checked<NetnsScope> enter(const std::string& name);
  NetnsScope(NetnsScope&& other) noexcept : original_fd_(other.original_fd_) {
    other.original_fd_ = -1;
  }
  NetnsScope& operator=(NetnsScope&&) = delete;
  ~NetnsScope();

 private:
  explicit NetnsScope(int original_fd) : original_fd_(original_fd) {}
  int original_fd_ = -1;
};

}  // namespace vpnlab::dataplane
