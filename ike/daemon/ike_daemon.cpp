#include "ike/daemon/ike_daemon.hpp"

#include <boost/asio/ip/address_v4.hpp>

#include "base/log.hpp"

namespace vpnlab::ike {
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

constexpr std::size_t kMaxDatagram = 65536;
constexpr std::size_t kNonEspMarker = 4;  // RFC 3948 2.2

udp::endpoint to_asio(const Endpoint& e) {
  return udp::endpoint(asio::ip::address_v4(e.address.value), e.port);
}

Endpoint from_asio(const udp::endpoint& e) {
  return Endpoint{Ipv4Address{e.address().to_v4().to_uint()}, e.port()};
}

}  // namespace

struct IkeDaemon::Socket {
  Socket(asio::io_context& io, std::uint16_t p) : sock(io), port(p), buf(kMaxDatagram) {}
  udp::socket sock;
  std::uint16_t port;
  Bytes buf;
  udp::endpoint from;
};

IkeDaemon::IkeDaemon(asio::io_context& io, Options options, IkeManager& manager,
                     CounterSet& counters)
    : io_(io), options_(options), manager_(manager), counters_(counters), keepalive_(io) {}

IkeDaemon::~IkeDaemon() {
  stop();
}

std::error_code IkeDaemon::start() {
  VPNLAB_LOG(info, "ike", "IKE daemon starting on %s:%u/%u", options_.local.to_string().c_str(),
             options_.ike_port, options_.natt_port);
  manager_.installer().on_lifetime(
      [this](dataplane::SaDirection dir, esp::Spi spi, dataplane::LifetimeEvent ev) {
        apply(manager_.on_lifetime(dir, spi, ev));
      });
  send_keepalives();
  if (options_.external_transport) return {};
  ike_ = std::make_unique<Socket>(io_, options_.ike_port);
  natt_ = std::make_unique<Socket>(io_, options_.natt_port);
  for (Socket* s : {ike_.get(), natt_.get()}) {
    boost::system::error_code ec;
    s->sock.open(udp::v4(), ec);
    if (!ec) s->sock.bind(udp::endpoint(asio::ip::address_v4(options_.local.value), s->port), ec);
    if (ec) return std::error_code(ec.value(), std::system_category());
    receive(*s);
  }
  return {};
}

void IkeDaemon::stop() {
  for (Socket* s : {ike_.get(), natt_.get()}) {
    if (s) {
      boost::system::error_code ec;
      s->sock.close(ec);
    }
  }
  timers_.clear();
  keepalive_.cancel();
  manager_.installer().on_lifetime({});
}

void IkeDaemon::connect(const std::string& tunnel) {
  apply(manager_.connect(tunnel));
}

void IkeDaemon::receive(Socket& s) {
  s.sock.async_receive_from(asio::buffer(s.buf), s.from,
                            [this, &s](const boost::system::error_code& ec, std::size_t n) {
                              if (ec == asio::error::operation_aborted) return;  // shutdown
                              if (!ec) on_receive(s, n);
                              receive(s);
                            });
}

void IkeDaemon::on_receive(Socket& s, std::size_t n) {
  ByteSpan data(s.buf.data(), n);
  Endpoint from = from_asio(s.from);
  if (s.port == options_.natt_port) {
    if (n == 1 && data[0] == 0xff) return;  // NAT keepalive (RFC 3948 4)
    if (n < kNonEspMarker || load_be32(data.data()) != 0) {
      counters_.get("ike.rx.esp_on_natt").add();
      if (on_esp) on_esp(data, from);
      return;
    }
    data = data.subspan(kNonEspMarker);
  }
  Datagram d{from, Endpoint{options_.local, s.port}, Bytes(data.begin(), data.end())};
  if (on_receive_tap) on_receive_tap(d);
  apply(manager_.on_datagram(d));
}

void IkeDaemon::deliver(const Datagram& d) {
  if (on_receive_tap) on_receive_tap(d);
  apply(manager_.on_datagram(d));
}

void IkeDaemon::send(const Datagram& d) {
  if (on_send_tap) on_send_tap(d);
  if (options_.external_transport) {
    if (send_hook) send_hook(d);
    return;
  }
  bool natt = d.from.port == options_.natt_port || d.to.port == options_.natt_port;
  Socket& s = natt ? *natt_ : *ike_;
  auto out = std::make_shared<Bytes>();
  if (natt) out->assign(kNonEspMarker, 0);
  out->insert(out->end(), d.data.begin(), d.data.end());
  s.sock.async_send_to(asio::buffer(*out), to_asio(d.to),
                       [this, out](const boost::system::error_code& ec, std::size_t) {
                         if (ec && ec != asio::error::operation_aborted) {
                           counters_.get("ike.tx.send_error").add();
                         }
                       });
}

void IkeDaemon::arm(const TimerRequest& t) {
  TimerKey key{t.sa.value, t.kind, t.id};
  if (t.cancel) {
    timers_.erase(key);
    return;
  }
  auto timer = std::make_unique<asio::steady_timer>(io_, t.delay);
  timer->async_wait([this, t](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled or replaced
    timers_.erase(TimerKey{t.sa.value, t.kind, t.id});
    apply(manager_.on_timer(t.sa, t.kind, t.id));
  });
  timers_[key] = std::move(timer);
}

void IkeDaemon::apply(Actions actions) {
  for (const Datagram& d : actions.send) send(d);
  for (const TimerRequest& t : actions.timers) arm(t);
  for (const Event& e : actions.events) {
    if (on_event) on_event(e);
  }
}

// RFC 3948 4: the NAT-keepalive is one 0xFF octet on the UDP-encapsulation port, sent only
// by the side whose address is translated (IkeManager::nat_keepalive_targets).
void IkeDaemon::send_keepalives() {
  keepalive_.expires_after(options_.nat_keepalive);
  keepalive_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    for (const auto& [from, to] : manager_.nat_keepalive_targets()) {
      if (options_.external_transport) {
        counters_.get(keepalive_hook ? "ike.tx.nat_keepalive" : "ike.tx.nat_keepalive_unsent")
            .add();
        if (keepalive_hook) keepalive_hook(from, to);
        continue;
      }
      counters_.get("ike.tx.nat_keepalive").add();
      auto ka = std::make_shared<Bytes>(1, 0xff);
      natt_->sock.async_send_to(asio::buffer(*ka), to_asio(to),
                                [ka](const boost::system::error_code&, std::size_t) {});
    }
    send_keepalives();
  });
}

}  // namespace vpnlab::ike
