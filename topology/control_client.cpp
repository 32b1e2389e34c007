#include "topology/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"

namespace vpnlab::topology {

Checked<nlohmann::json> control_request(const std::string& path, const nlohmann::json& request,
                                        std::chrono::milliseconds timeout) {
  auto sys_error = [&](const std::string& what) {
    int err = errno;
    return fail(errno_code(err),
                "control socket " + path + ": " + what + ": " + std::strerror(err));
  };
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    return fail(make_error_code(errc::invalid_value), "control socket path too long: " + path);
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_error("socket");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("connect");
  std::string line = request.dump() + "\n";
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    return sys_error("write");
  std::string reply;
  char buf[8192];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (reply.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return fail(std::make_error_code(std::errc::timed_out),
                  "control socket " + path + ": no reply");
    }
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return sys_error("read");
    if (n == 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  auto json = nlohmann::json::parse(reply, nullptr, false);
  if (json.is_discarded()) {
    return fail(make_error_code(errc::invalid_value),
                "control socket " + path + ": reply is not JSON");
  }
  return json;
}

}  // namespace vpnlab::topology
