#include "bgp/speaker/speaker.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <deque>

#include "base/log.hpp"
#include "bgp/speaker/deframer.hpp"

namespace vpnlab::bgp {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Speaker::Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  ConnId id = 0;
  Ipv4Address peer;
  tcp::socket socket;
  std::array<std::uint8_t, 65536> rbuf{};  // a read = one batch of kernel installs
  Deframer deframer;
  std::deque<Bytes> out;
  bool writing = false;
  bool closing = false;
};

namespace {
// A socket read can carry ~13,000 routes; installing them in batches of at most this many
// keeps the transient change lists small (several netlink sendmsg per batch anyway).
constexpr std::size_t kMaxFibBatch = 2048;

dataplane::RouteChange to_route_change(FibChange&& change) {
  dataplane::RouteChange c{change.prefix, {}};
  for (auto& h : change.hops) c.hops.push_back(dataplane::NextHop{std::move(h.device), h.gateway});
  return c;
}

asio::ip::address_v4 to_asio(Ipv4Address a) {
  return asio::ip::address_v4(a.value);
}

// SO_BINDTODEVICE: the session's packets use the tunnel device only.
boost::system::error_code bind_to_device(int fd, const std::string& device) {
  if (device.empty()) return {};
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.data(),
                   static_cast<socklen_t>(device.size())) != 0)
    return {errno, boost::system::system_category()};
  return {};
}
}  // namespace

Speaker::Speaker(asio::io_context& io, SpeakerConfig config, dataplane::RouteTable* routes)
    : io_(io), config_(std::move(config)), routes_(routes), core_(config_.core, clock_) {
  for (const auto& p : config_.peers) core_.add_peer(p.peer);
}

Speaker::~Speaker() {
  *alive_ = false;
  for (auto& a : acceptors_) a->close();
  for (auto& [id, c] : conns_) c->socket.close();
  for (auto& [peer, c] : connecting_) c->socket.close();
  for (auto& [key, slot] : timers_) slot->timer.cancel();
}

const SpeakerPeerConfig* Speaker::peer_config(Ipv4Address peer) const {
  for (const auto& p : config_.peers)
    if (p.peer.session.peer_address == peer) return &p;
  return nullptr;
}

Checked<void> Speaker::start() {
  std::vector<std::pair<Ipv4Address, std::string>> bound;
  for (const auto& p : config_.peers) {
    std::pair<Ipv4Address, std::string> key{p.peer.session.local_address, p.bind_device};
    if (std::find(bound.begin(), bound.end(), key) != bound.end()) continue;
    if (auto r = listen_on(key.first, key.second); !r) return r;
    bound.push_back(key);
  }
  for (const auto& p : config_.peers)
    if (p.enabled) core_.start_peer(p.peer.session.peer_address);
  run_actions();
  return {};
}

void Speaker::stop() {
  stopping_ = true;
  for (const auto& p : config_.peers) core_.stop_peer(p.peer.session.peer_address);
  run_actions();
  for (auto& a : acceptors_) a->close();
  for (auto& [peer, c] : connecting_) c->socket.close();
  connecting_.clear();
  for (auto& [key, slot] : timers_) slot->timer.cancel();
}

void Speaker::set_peer_enabled(Ipv4Address peer, bool enabled) {
  if (enabled)
    core_.start_peer(peer);
  else
    core_.stop_peer(peer);
  run_actions();
}

bool Speaker::reset_peer(Ipv4Address peer) {
  bool reset = core_.reset_peer(peer);
  run_actions();
  return reset;
}

void Speaker::request_route_refresh(Ipv4Address peer) {
  core_.request_route_refresh(peer);
  run_actions();
}

void Speaker::announce(const Ipv4Prefix& prefix) {
  core_.announce(prefix);
  run_actions();
}

void Speaker::withdraw(const Ipv4Prefix& prefix) {
  core_.withdraw(prefix);
  run_actions();
}

Checked<void> Speaker::listen_on(Ipv4Address local, const std::string& device) {
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  boost::system::error_code ec;
  tcp::endpoint ep(to_asio(local), config_.port);
  acceptor->open(tcp::v4(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) ec = bind_to_device(acceptor->native_handle(), device);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(std::error_code(ec.value(), std::system_category()),
                "BGP listen on " + local.to_string() + ":" + std::to_string(config_.port) +
                    (device.empty() ? "" : " dev " + device) + ": " + ec.message());
  VPNLAB_LOG(info, "bgp", "listening on %s:%u", local.to_string().c_str(), config_.port);
  acceptors_.push_back(std::move(acceptor));
  accept_next(*acceptors_.back());
  return {};
}

void Speaker::accept_next(tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor, alive = std::weak_ptr<bool>(alive_)](
                            boost::system::error_code ec, tcp::socket socket) {
    if (alive.expired() || ec == asio::error::operation_aborted || stopping_) return;
    if (!ec) {
      auto remote = socket.remote_endpoint(ec);
      Ipv4Address peer{remote.address().to_v4().to_uint()};
      if (!ec && core_.has_peer(peer)) {
        auto c = std::make_shared<Connection>(std::move(socket));
        c->peer = peer;
        adopt(c, false);
      } else {
        socket.close();
      }
    }
    accept_next(acceptor);
  });
}

void Speaker::connect(Ipv4Address peer) {
  const SpeakerPeerConfig* pc = peer_config(peer);
  if (!pc || stopping_) return;
  if (auto it = connecting_.find(peer); it != connecting_.end()) it->second->socket.close();
  auto c = std::make_shared<Connection>(io_);
  c->peer = peer;
  boost::system::error_code ec;
  c->socket.open(tcp::v4(), ec);
  if (!ec) c->socket.set_option(tcp::socket::reuse_address(true), ec);
  if (!ec) ec = bind_to_device(c->socket.native_handle(), pc->bind_device);
  if (!ec) c->socket.bind(tcp::endpoint(to_asio(pc->peer.session.local_address), 0), ec);
  auto alive = std::weak_ptr<bool>(alive_);
  if (ec) {
    VPNLAB_LOG(warn, "bgp", "peer %s: connect setup failed: %s", peer.to_string().c_str(),
               ec.message().c_str());
    asio::post(io_, [this, peer, alive] {
      if (alive.expired()) return;
      core_.on_tcp_failed(peer, 0);
      run_actions();
    });
    return;
  }
  connecting_[peer] = c;
  c->socket.async_connect(tcp::endpoint(to_asio(peer), config_.port),
                          [this, c, alive](boost::system::error_code ec) {
                            if (alive.expired()) return;
                            auto it = connecting_.find(c->peer);
                            if (it == connecting_.end() || it->second != c) return;  // superseded
                            connecting_.erase(it);
                            if (ec) {
                              core_.on_tcp_failed(c->peer, 0);
                              return run_actions();
                            }
                            adopt(c, true);
                          });
}

void Speaker::adopt(std::shared_ptr<Connection> c, bool outgoing) {
  c->id = ++next_conn_;
  boost::system::error_code ec;
  c->socket.set_option(tcp::no_delay(true), ec);
  conns_[c->id] = c;
  VPNLAB_LOG(info, "bgp", "peer %s: TCP %s (conn %llu)", c->peer.to_string().c_str(),
             outgoing ? "connected" : "accepted", static_cast<unsigned long long>(c->id));
  core_.on_tcp_connected(c->peer, c->id, outgoing);
  run_actions();
  if (conns_.count(c->id)) read_next(c);
}

void Speaker::read_next(std::shared_ptr<Connection> c) {
  c->socket.async_read_some(
      asio::buffer(c->rbuf),
      [this, c, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec, std::size_t n) {
        if (alive.expired() || !conns_.count(c->id)) return;
        if (ec) return connection_failed(c->id);
        c->deframer.feed(ByteSpan(c->rbuf.data(), n));
        // The route changes of every message in this read go to the kernel as one batch.
        ++fib_hold_;
        bool open = true;
        while (open) {
          auto m = c->deframer.next();
          if (!m) break;
          core_.on_message(c->peer, c->id, *m);
          run_actions();
          open = conns_.count(c->id) > 0;
        }
        --fib_hold_;
        install_pending();
        if (open) read_next(c);
      });
}

void Speaker::write_next(std::shared_ptr<Connection> c) {
  if (c->out.empty()) {
    c->writing = false;
    if (c->closing) {
      boost::system::error_code ec;
      c->socket.shutdown(tcp::socket::shutdown_both, ec);
      c->socket.close(ec);
    }
    return;
  }
  c->writing = true;
  asio::async_write(
      c->socket, asio::buffer(c->out.front()),
      [this, c, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec, std::size_t) {
        if (alive.expired()) return;
        c->out.pop_front();
        if (ec) {
          c->out.clear();
          c->writing = false;
          if (conns_.count(c->id)) return connection_failed(c->id);
          c->socket.close(ec);
          return;
        }
        write_next(c);
      });
}

void Speaker::close(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  auto c = it->second;
  conns_.erase(it);
  c->closing = true;
  if (!c->writing) write_next(c);  // nothing queued: closes now
}

void Speaker::connection_failed(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  auto c = it->second;
  conns_.erase(it);
  boost::system::error_code ec;
  c->socket.close(ec);
  VPNLAB_LOG(info, "bgp", "peer %s: TCP connection %llu lost", c->peer.to_string().c_str(),
             static_cast<unsigned long long>(id));
  core_.on_tcp_failed(c->peer, id);
  run_actions();
}

void Speaker::run_actions() {
  for (;;) {
    auto io = core_.take_io();
    auto fib = core_.take_fib();
    if (io.empty() && fib.empty()) break;
    for (auto& a : io) execute(a);
    if (!routes_) continue;
    for (auto& f : fib) {  // (a peer going down can bring its whole table at once)
      pending_fib_.push_back(to_route_change(std::move(f)));
      if (pending_fib_.size() >= kMaxFibBatch) install_pending();
    }
  }
  if (fib_hold_ == 0) install_pending();
}

void Speaker::execute(PeerIo& item) {
  if (std::holds_alternative<action::OpenTcp>(item.action)) return connect(item.peer);
  if (auto* s = std::get_if<action::Send>(&item.action)) {
    auto it = conns_.find(s->conn);
    if (it == conns_.end()) return;
    it->second->out.push_back(std::move(s->bytes));
    if (!it->second->writing) write_next(it->second);
    return;
  }
  if (auto* cl = std::get_if<action::CloseTcp>(&item.action)) return close(cl->conn);
  if (auto* st = std::get_if<action::StartTimer>(&item.action))
    return start_timer({item.peer, st->conn, st->timer}, st->after);
  if (auto* sp = std::get_if<action::StopTimer>(&item.action)) {
    auto it = timers_.find({item.peer, sp->conn, sp->timer});
    if (it != timers_.end()) {
      ++it->second->generation;
      it->second->timer.cancel();
    }
  }
}

void Speaker::start_timer(const TimerKey& key, Seconds after) {
  auto& slot = timers_[key];
  if (!slot) slot = std::make_unique<TimerSlot>(io_);
  std::uint64_t gen = ++slot->generation;
  slot->timer.expires_after(after);
  slot->timer.async_wait(
      [this, key, gen, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (alive.expired() || ec == asio::error::operation_aborted || stopping_) return;
        auto it = timers_.find(key);
        if (it == timers_.end() || it->second->generation != gen) return;
        auto [peer, conn, timer] = key;
        core_.on_timer(peer, conn, timer);
        run_actions();
      });
}

void Speaker::install_pending() {
  if (pending_fib_.empty() || !routes_) return;
  auto changes = std::exchange(pending_fib_, {});
  auto failed = routes_->apply(changes);
  route_errors_ += failed.size();
  for (const auto& f : failed)
    VPNLAB_LOG(warn, "bgp", "%s: install failed: %s", f.message.c_str(), f.error.message().c_str());
}

}  // namespace vpnlab::bgp
