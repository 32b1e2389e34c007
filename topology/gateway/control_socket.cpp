#include "topology/gateway/control_socket.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.hpp"
#include "base/log.hpp"

namespace vpnlab::topology {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

ControlSocket::ControlSocket(asio::io_context& io, std::string path, Handler handler)
    : acceptor_(io), path_(std::move(path)), handler_(std::move(handler)) {}

ControlSocket::~ControlSocket() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  ::unlink(path_.c_str());
}

Checked<std::unique_ptr<ControlSocket>> ControlSocket::open(asio::io_context& io,
                                                            const std::string& path,
                                                            Handler handler) {
  std::unique_ptr<ControlSocket> cs(new ControlSocket(io, path, std::move(handler)));
  ::unlink(path.c_str());
  boost::system::error_code ec;
  // Root only: status shows SPIs and counters, commands take tunnels down, "keys" hands out
  // SA keys. umask 0177: the socket is created 0600 (bind uses 0777 & ~umask).
  mode_t old = ::umask(0177);
  cs->acceptor_.open(stream(), ec);
  if (!ec) cs->acceptor_.bind(stream::endpoint(path), ec);
  if (!ec) cs->acceptor_.listen(16, ec);
  ::umask(old);
  if (ec) {
    return fail(std::error_code(ec.value(), std::system_category()),
                "control socket " + path + ": " + ec.message());
  }
  cs->accept();
  return cs;
}

void ControlSocket::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, stream::socket peer) {
    if (ec == asio::error::operation_aborted) return;  // shutting down
    if (!ec) serve(std::make_shared<stream::socket>(std::move(peer)));
    accept();
  });
}

void ControlSocket::serve(std::shared_ptr<stream::socket> peer) {
  auto buf = std::make_shared<asio::streambuf>(64 * 1024);
  asio::async_read_until(
      *peer, *buf, '\n', [this, peer, buf](boost::system::error_code ec, std::size_t) {
        if (ec) return;
        std::string line(asio::buffers_begin(buf->data()), asio::buffers_end(buf->data()));
        nlohmann::json reply;
        auto request = nlohmann::json::parse(line, nullptr, false);
        if (request.is_discarded() || !request.is_object()) {
          reply = {{"error", "request is not a JSON object on one line"}};
          VPNLAB_LOG(warn, "ctl", "malformed control request (%zu bytes)", line.size());
        } else {
          reply = handler_(request);
        }
        auto out = std::make_shared<std::string>(reply.dump() + "\n");
        asio::async_write(*peer, asio::buffer(*out),
                          [peer, out](boost::system::error_code, std::size_t) {});
      });
}

}  // namespace vpnlab::topology
