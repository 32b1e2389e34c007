#include "topology/interop/process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace vpnlab::topology::interop {

ProcessResult run_process(const std::vector<std::string>& argv) {
  ProcessResult r;
  // Output goes to an unlinked temporary file, not a pipe: `vpnlab up` leaves daemons
  // running, and one that kept an inherited pipe end open would make us wait for it forever.
  FILE* tmp = std::tmpfile();
  if (argv.empty() || !tmp) {
    if (tmp) std::fclose(tmp);
    return r;
  }
  int fd = ::fileno(tmp);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  if (pid > 0) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    ::lseek(fd, 0, SEEK_SET);
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) r.output.append(buf, n);
  }
  std::fclose(tmp);
  return r;
}

}  // namespace vpnlab::topology::interop
