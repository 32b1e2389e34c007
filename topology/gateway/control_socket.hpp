#pragma once
// A gateway's control socket: a Unix stream socket (mode 0600: root only) under the lab's
// run directory. One request per connection: a JSON object on one line, answered by one
// JSON line. Requests run on the gateway's io_context thread, so handlers need no locks.
//
//   {"command": "status"}                        -> the gateway's status document
//   {"command": "tunnel", "tunnel": "aws0t1",
//    "action": "down"|"up"|"rekey"|"rekey-ike"|"bgp-reset"}
//                                                  (drills; rekeys start at this end;
//                                                  bgp-reset: Cease/Administrative Reset of
//                                                  the tunnel's BGP session, RFC 4486)
//   {"command": "keys"}   -> every IKE_SA's and ESP SA's keys, live and recently removed,
//                            for `vpnlab capture` (SECRETS: topology/wireshark_keys.hpp)

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange unincluded

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"

namespace vpnlab::topology {

class ControlSocket {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

  /// Binds path (an old socket file there is replaced) and starts accepting.
  static Checked<std::unique_ptr<ControlSocket>> open(boost::asio::io_context& io,
                                                      const std::string& path, Handler handler);
  ~ControlSocket();

 private:
  ControlSocket(boost::asio::io_context& io, std::string path, Handler handler);
  void accept();
  void serve(std::shared_ptr<boost::asio::local::stream_protocol::socket> peer);

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  Handler handler_;
};

}  // namespace vpnlab::topology
