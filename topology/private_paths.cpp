#include "topology/private_paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "base/errors.hpp"

namespace vpnlab::topology {
namespace {

std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Checked<void> check_stat(const std::string& path, const struct stat& st, bool dir) {
  const char* want = dir ? "0700" : "0600";
  if (dir != S_ISDIR(st.st_mode)) {
    return fail(std::make_error_code(std::errc::not_a_directory),
                path + (dir ? ": not a directory" : ": is a directory"));
  }
  if (st.st_uid != 0 || (st.st_mode & 077) != 0) {
    return fail(std::make_error_code(std::errc::permission_denied),
                path + ": mode " + octal(st.st_mode) + ", owner uid " + std::to_string(st.st_uid) +
                    ": must be root-only (" + want +
                    ", owner root): it holds pre-shared keys or SA keys; refusing to use it "
                    "(chmod " +
                    want + " it after checking nothing leaked, or remove it)");
  }
  return {};
}

Checked<void> check_path(const std::string& path, bool dir) {
  struct stat st {};
  // lstat: a symlink planted in the run directory is not followed.
  if (::lstat(path.c_str(), &st) != 0) {
    int err = errno;
    return fail(errno_code(err), path + ": " + std::strerror(err));
  }
  return check_stat(path, st, dir);
}

}  // namespace

Checked<void> check_private_dir(const std::string& path) {
  return check_path(path, true);
}

Checked<void> check_private_file(const std::string& path) {
  return check_path(path, false);
}

Checked<void> check_private_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return {};
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return check_stat(ec ? "fd " + std::to_string(fd) : path.string(), st, false);
}

}  // namespace vpnlab::topology
