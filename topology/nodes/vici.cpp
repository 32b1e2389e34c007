#include "topology/nodes/vici.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.hpp"

namespace vpnlab::topology::nodes {
namespace {

enum Packet : std::uint8_t {
  cmd_request = 0,
  cmd_response = 1,
  cmd_unknown = 2,
  event_register = 3,
  event_confirm = 5,
  event_unknown = 6,
  event = 7,
};
enum Element : std::uint8_t {
  section_start = 1,
  section_end = 2,
  key_value = 3,
  list_start = 4,
  list_item = 5,
  list_end = 6,
};

void name8(std::string& out, const std::string& name) {
  out += static_cast<char>(std::min<std::size_t>(name.size(), 255));
  out += name.substr(0, 255);
}
void value16(std::string& out, const std::string& v) {
  std::size_t n = std::min<std::size_t>(v.size(), 65535);
  out += static_cast<char>(n >> 8);
  out += static_cast<char>(n & 0xff);
  out += v.substr(0, n);
}
std::string scalar(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void encode_into(std::string& out, const nlohmann::json& m) {
  for (const auto& [k, v] : m.items()) {
    if (v.is_object()) {
      out += static_cast<char>(section_start);
      name8(out, k);
      encode_into(out, v);
      out += static_cast<char>(section_end);
    } else if (v.is_array()) {
      out += static_cast<char>(list_start);
      name8(out, k);
      for (const auto& item : v) {
        out += static_cast<char>(list_item);
        value16(out, scalar(item));
      }
      out += static_cast<char>(list_end);
    } else {
      out += static_cast<char>(key_value);
      name8(out, k);
      value16(out, scalar(v));
    }
  }
}

Unexpected<Error> bad(std::size_t at, const std::string& what) {
  return fail(make_error_code(errc::invalid_value),
              "vici message at offset " + std::to_string(at) + ": " + what);
}

class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {}
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Checked<void> send(std::uint8_t type, const std::string& name, const std::string& body) {
    std::string p(1, static_cast<char>(type));
    if (type == cmd_request || type == event_register) name8(p, name);
    p += body;
    std::uint32_t n = static_cast<std::uint32_t>(p.size());
    std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                         static_cast<char>(n >> 8), static_cast<char>(n)};
    frame += p;
    for (std::size_t at = 0; at < frame.size();) {
      ssize_t w = ::send(fd_, frame.data() + at, frame.size() - at, MSG_NOSIGNAL);
      if (w <= 0) return fail(errno_code(errno), "vici: send");
      at += static_cast<std::size_t>(w);
    }
    return {};
  }

  Checked<std::string> receive() {
    std::string head(4, '\0');
    if (auto rc = read_exactly(head); !rc) return Unexpected{rc.error()};
    std::uint32_t n = 0;
    for (char c : head) n = (n << 8) | static_cast<std::uint8_t>(c);
    if (n == 0 || n > (1u << 20))
      return fail(make_error_code(errc::invalid_value), "vici: bad length");
    std::string body(n, '\0');
    if (auto rc = read_exactly(body); !rc) return Unexpected{rc.error()};
    return body;
  }

 private:
  Checked<void> read_exactly(std::string& buf) {
    for (std::size_t at = 0; at < buf.size();) {
      ssize_t r = ::recv(fd_, buf.data() + at, buf.size() - at, 0);
      if (r <= 0) return fail(errno_code(r == 0 ? ECONNRESET : errno), "vici: receive");
      at += static_cast<std::size_t>(r);
    }
    return {};
  }
  int fd_;
};

Checked<int> connect_to(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return fail(make_error_code(errc::invalid_value), "vici socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(errno_code(errno), "vici: socket");
  timeval tv{5, 0};  // charon answers at once; a hung charon must not hang status
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd);
    return fail(errno_code(e), "vici: connect " + path);
  }
  return fd;
}

// Splits a received packet into its type, name (if any) and message.
struct Received {
  std::uint8_t type = 0;
  std::string name, message;
};
Checked<Received> split(const std::string& p) {
  Received r;
  r.type = static_cast<std::uint8_t>(p[0]);
  std::size_t at = 1;
  if (r.type == event) {
    if (p.size() < 2 || p.size() < 2u + static_cast<std::uint8_t>(p[1])) return bad(1, "name");
    r.name = p.substr(2, static_cast<std::uint8_t>(p[1]));
    at = 2 + r.name.size();
  }
  r.message = p.substr(at);
  return r;
}

}  // namespace

std::string vici_encode(const nlohmann::json& message) {
  std::string out;
  encode_into(out, message);
  return out;
}

Checked<nlohmann::json> vici_decode(std::string_view b) {
  nlohmann::json root = nlohmann::json::object();
  std::vector<nlohmann::json*> stack = {&root};
  std::string list;  // name of the open list, "" when none
  std::size_t at = 0;
  auto name = [&](std::string& out) -> bool {
    if (at >= b.size() || at + 1 + static_cast<std::uint8_t>(b[at]) > b.size()) return false;
    out.assign(b.substr(at + 1, static_cast<std::uint8_t>(b[at])));
    at += 1 + out.size();
    return true;
  };
  auto value = [&](std::string& out) -> bool {
    if (at + 2 > b.size()) return false;
    std::size_t n = (static_cast<std::uint8_t>(b[at]) << 8) | static_cast<std::uint8_t>(b[at + 1]);
    if (at + 2 + n > b.size()) return false;
    out.assign(b.substr(at + 2, n));
    at += 2 + n;
    return true;
  };
  while (at < b.size()) {
    std::size_t start = at;
    auto type = static_cast<std::uint8_t>(b[at++]);
    std::string k, v;
    nlohmann::json& top = *stack.back();
    if (type == section_start) {
      if (!name(k)) return bad(start, "section name");
      top[k] = nlohmann::json::object();
      stack.push_back(&top[k]);
    } else if (type == section_end) {
      if (stack.size() < 2) return bad(start, "section end without start");
      stack.pop_back();
    } else if (type == key_value) {
      if (!name(k) || !value(v)) return bad(start, "key/value");
      top[k] = v;
    } else if (type == list_start) {
      if (!name(k)) return bad(start, "list name");
      top[k] = nlohmann::json::array();
      list = k;
    } else if (type == list_item) {
      if (list.empty() || !value(v)) return bad(start, "list item");
      top[list].push_back(v);
    } else if (type == list_end) {
      list.clear();
    } else {
      return bad(start, "unknown element type " + std::to_string(type));
    }
  }
  return root;
}

Checked<nlohmann::json> vici_command(const std::string& path, const std::string& command,
                                     const nlohmann::json& args) {
  auto events = vici_stream(path, command, "", args);
  if (!events) return Unexpected{events.error()};
  return events->back();
}

Checked<std::vector<nlohmann::json>> vici_stream(const std::string& path,
                                                 const std::string& command,
                                                 const std::string& event_name,
                                                 const nlohmann::json& args) {
  auto fd = connect_to(path);
  if (!fd) return Unexpected{fd.error()};
  Conn c(*fd);
  if (!event_name.empty()) {
    if (auto rc = c.send(event_register, event_name, ""); !rc) return Unexpected{rc.error()};
    auto p = c.receive();
    if (!p) return Unexpected{p.error()};
    if (static_cast<std::uint8_t>((*p)[0]) != event_confirm)
      return fail(make_error_code(errc::invalid_value), "vici: charon has no event " + event_name);
  }
  if (auto rc = c.send(cmd_request, command, vici_encode(args)); !rc) return Unexpected{rc.error()};
  std::vector<nlohmann::json> out;
  for (;;) {
    auto p = c.receive();
    if (!p) return Unexpected{p.error()};
    auto r = split(*p);
    if (!r) return Unexpected{r.error()};
    if (r->type == cmd_unknown)
      return fail(make_error_code(errc::invalid_value), "vici: charon has no command " + command);
    if (r->type != event && r->type != cmd_response) continue;
    auto m = vici_decode(r->message);
    if (!m) return Unexpected{m.error()};
    out.push_back(std::move(*m));
    if (r->type == cmd_response) return out;
  }
}

}  // namespace vpnlab::topology::nodes
