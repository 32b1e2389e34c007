#include "dataplane/linux/esp_ingress_drop.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"
#include "base/log.hpp"

extern char** environ;

namespace vpnlab::dataplane {
namespace {

const char* find_nft() {
  for (const char* p : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return nullptr;
}

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

std::string esp_ingress_drop_script(const std::vector<std::string>& devices,
                                    const std::vector<Ipv4Address>& locals) {
  std::string addrs;
  for (std::size_t i = 0; i < locals.size(); ++i) {
    addrs += (i ? ", " : "") + locals[i].to_string();
  }
  // "table X" then "delete table X": an earlier gateway's table goes, whether or not there
  // is one; the whole file is one transaction.
  std::string s = esp_ingress_remove_script();
  s += std::string("table netdev ") + kEspIngressTable + " {\n";
  for (std::size_t i = 0; i < devices.size(); ++i) {
    s += "  chain ingress" + std::to_string(i) + " {\n";
    s += "    type filter hook ingress device \"" + devices[i] +
         "\" priority -500; policy accept;\n";
    s += "    meta protocol ip ip daddr { " + addrs + " } ip protocol esp counter drop\n";
    s += "  }\n";
  }
  s += "}\n";
  return s;
}

std::string esp_ingress_remove_script() {
  return std::string("table netdev ") + kEspIngressTable + "\ndelete table netdev " +
         kEspIngressTable + "\n";
}

Checked<void> run_nft(const std::string& script) {
  const char* nft = find_nft();
  if (nft == nullptr) {
    return fail(std::make_error_code(std::errc::no_such_file_or_directory),
                "nft not found (Debian package nftables)");
  }
  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return fail(errno_code(errno), "pipe for nft");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return fail(errno_code(errno), "pipe for nft");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, err[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  char* argv[] = {const_cast<char*>(nft), const_cast<char*>("-f"), const_cast<char*>("-"), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, nft, &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(err[0]);
    return fail(errno_code(rc), std::string("spawn ") + nft + ": " + std::strerror(rc));
  }
  [[maybe_unused]] auto w = ::write(in[1], script.data(), script.size());
  ::close(in[1]);
  std::string output = read_all(err[0]);
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return fail(make_error_code(errc::io_error), std::string(nft) + " -f - failed: " + output);
  }
  return {};
}

Checked<std::unique_ptr<EspIngressDrop>> EspIngressDrop::install(
    const std::vector<std::string>& devices, const std::vector<Ipv4Address>& locals) {
  if (auto rc = run_nft(esp_ingress_drop_script(devices, locals)); !rc) {
    return Unexpected{rc.error()};
  }
  return std::unique_ptr<EspIngressDrop>(new EspIngressDrop());
}

EspIngressDrop::~EspIngressDrop() {
  if (auto rc = run_nft(esp_ingress_remove_script()); !rc) {
    VPNLAB_LOG(warn, "dp", "removing the ESP ingress table: %s", rc.error().message.c_str());
  }
}

}  // namespace vpnlab::dataplane
