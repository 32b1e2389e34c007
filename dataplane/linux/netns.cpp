#include "dataplane/linux/netns.hpp"

#include "base/errors.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace vpnlab::dataplane {
namespace {

std::string path_of(const std::string& name) {
  return std::string(kNetnsDir) + "/" + name;
}

Checked<void> sys_fail(const std::string& what) {
  int err = errno;
  return fail(errno_code(err), what + ": " + std::strerror(err));
}

// /run/netns must be a shared mount so that namespace mounts made here are seen by
// `ip netns` users in other mount namespaces (what iproute2 does on first use).
Checked<void> prepare_netns_dir() {
  if (mkdir(kNetnsDir, 0755) != 0 && errno != EEXIST) return sys_fail("mkdir /run/netns");
  if (mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) == 0) return {};
  if (errno != EINVAL) return sys_fail("make /run/netns a shared mount");
  if (mount(kNetnsDir, kNetnsDir, "none", MS_BIND | MS_REC, nullptr) != 0) {
    return sys_fail("bind-mount /run/netns on itself");
  }
  if (mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    return sys_fail("make /run/netns a shared mount");
  }
  return {};
}

}  // namespace

bool netns_exists(const std::string& name) {
  struct stat st {};
  return stat(path_of(name).c_str(), &st) == 0;
}

Checked<void> create_netns(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.size() > 200) {
    return fail(std::make_error_code(std::errc::invalid_argument),
                "invalid namespace name '" + name + "'");
  }
  if (auto rc = prepare_netns_dir(); !rc) return rc;
  std::string path = path_of(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL, 0);
  if (fd < 0) {
    if (errno == EEXIST)
      return fail(std::make_error_code(std::errc::file_exists), "namespace " + name + " exists");
    return sys_fail("create " + path);
  }
  ::close(fd);
  // unshare() moves only the calling thread; a short-lived thread keeps ours untouched.
  Checked<void> result;
  std::thread worker([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      result = sys_fail("unshare(CLONE_NEWNET) for " + name);
      return;
    }
    if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      result = sys_fail("bind-mount the new namespace on " + path);
    }
  });
  worker.join();
  if (!result) ::unlink(path.c_str());
  return result;
}

Checked<void> delete_netns(const std::string& name) {
  std::string path = path_of(name);
  if (!netns_exists(name)) return {};
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
    return sys_fail("unmount " + path);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_fail("remove " + path);
  return {};
}

std::vector<std::string> list_netns(const std::string& prefix) {
  std::vector<std::string> out;
  DIR* dir = opendir(kNetnsDir);
  if (!dir) return out;
  while (dirent* e = readdir(dir)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    if (n.rfind(prefix, 0) == 0) out.push_back(n);
  }
  closedir(dir);
  return out;
}

Checked<int> open_netns_fd(const std::string& name) {
  int fd = ::open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return fail(errno_code(err), "open namespace " + name + ": " + std::strerror(err));
  }
  return fd;
}

Checked<NetnsScope> NetnsScope::enter(const std::string& name) {
  int original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) return Unexpected{sys_fail("open current namespace").error()};
  auto target = open_netns_fd(name);
  if (!target) {
    ::close(original);
    return Unexpected{target.error()};
  }
  int rc = setns(*target, CLONE_NEWNET);
  int err = errno;
  ::close(*target);
  if (rc != 0) {
    ::close(original);
    return fail(errno_code(err), "enter namespace " + name + ": " + std::strerror(err));
  }
  return NetnsScope(original);
}

NetnsScope::~NetnsScope() {
  if (original_fd_ < 0) return;
  // Failing to return would leave this thread in a lab namespace: not recoverable.
  if (setns(original_fd_, CLONE_NEWNET) != 0) std::abort();
  ::close(original_fd_);
}

Checked<void> netns_sysctl(const std::string& name, const std::string& key,
                           const std::string& value) {
  auto scope = NetnsScope::enter(name);
  if (!scope) return Unexpected{scope.error()};
  // /proc/sys/net follows the opening thread's network namespace.
  std::string path = "/proc/sys/" + key;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return sys_fail("open " + path + " in " + name);
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return fail(errno_code(err), "write " + path + " in " + name + ": " + std::strerror(err));
  }
  return {};
}

Checked<pid_t> spawn_in_netns(const std::string& name, const std::vector<std::string>& argv,
                              const std::string& log_path) {
  if (argv.empty())
    return fail(std::make_error_code(std::errc::invalid_argument), "spawn: empty command");
  auto ns_fd = open_netns_fd(name);
  if (!ns_fd) return Unexpected{ns_fd.error()};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    ::close(*ns_fd);
    return Unexpected{sys_fail("fork for " + argv[0]).error()};
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    setpgid(0, 0);
    if (setns(*ns_fd, CLONE_NEWNET) != 0) _exit(126);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  ::close(*ns_fd);
  return pid;
}

}  // namespace vpnlab::dataplane
