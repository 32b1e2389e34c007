#include "dataplane/linux/engine.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "base/errors.hpp"

#include "base/log.hpp"
#include "dataplane/core/inbound.hpp"
#include "dataplane/core/outbound.hpp"
#include "dataplane/core/tunnel_mtu.hpp"
#include "dataplane/linux/netlink.hpp"

namespace vpnlab::dataplane {

namespace {

void signal_fd(int fd) {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

void drain_fd(int fd) {
  std::uint64_t v;
  [[maybe_unused]] auto n = ::read(fd, &v, sizeof v);
}

std::uint16_t mtu_of(const TunnelConfig& t) {
  return t.mtu != 0 ? t.mtu : tunnel_mtu(t.suite, t.udp_encap);
}

using Clock = std::chrono::steady_clock;

// Each worker takes two snapshot reader slots (Dataplane::Options::max_workers = 64).
constexpr std::size_t kMaxWorkers = 32;

std::size_t resolve_workers(std::size_t requested) {
  std::size_t n = requested != 0 ? requested : std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(n, 1, kMaxWorkers);
}

Dataplane::Options dataplane_options(const EngineOptions& o) {
  Dataplane::Options d;
  d.lanes = o.workers;
  d.crypto = o.crypto;
  return d;
}

}  // namespace

// Before blocking in poll(), a worker that just went idle keeps polling its devices for
// options_.spin_us: a wakeup through poll() costs two context switches, more than a burst's
// gap at high packet rates. Returns true if the spin found packets.
template <typename F>
bool Engine::spin(Clock::time_point& idle_since, F&& run_once) {
  if (options_.spin_us == 0) return false;
  idle_since = Clock::now();
  auto limit = std::chrono::microseconds(options_.spin_us);
  while (Clock::now() - idle_since < limit) {
    if (run_once() > 0) return true;
  }
  return false;
}

Engine::Engine(std::vector<TunnelConfig> tunnels, EngineOptions options)
    : configs_(std::move(tunnels)), options_(options), dp_(dataplane_options(options_)) {
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  control_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int fd = control_fd_;
  dp_.set_wakeup([fd] { signal_fd(fd); });
}

Checked<std::unique_ptr<Engine>> Engine::create(std::vector<TunnelConfig> tunnels,
                                                EngineOptions options) {
  options.workers = resolve_workers(options.workers);
  std::unique_ptr<Engine> e(new Engine(std::move(tunnels), options));
  if (e->stop_fd_ < 0 || e->control_fd_ < 0) {
    return fail(errno_code(errno), "eventfd for the dataplane engine");
  }
  e->dp_.aggregate_tx_limit().set(options.aggregate);
  e->dp_.aggregate_rx_limit().set(options.aggregate);
  if (auto r = e->open_devices(); !r) return Unexpected{r.error()};
  if (auto r = e->configure_links(); !r) return Unexpected{r.error()};
  if (auto r = e->open_sockets(); !r) return Unexpected{r.error()};
  return e;
}

// One TUN queue per worker and tunnel (a single-queue device for one worker).
Checked<void> Engine::open_devices() {
  const std::size_t n = options_.workers;
  lane_fds_.assign(n, {});
  for (const auto& t : configs_) {
    TunnelId id{};
    for (std::size_t lane = 0; lane < n; ++lane) {
      auto tun = LinuxTun::open(t.name, LinuxTun::Options{options_.batch, n > 1, options_.offload});
      if (!tun) return Unexpected{tun.error()};
      if (lane == 0) {
        id = dp_.add_tunnel(t.name, **tun, tunnel_mss(mtu_of(t)));
        dp_.tunnel(id).tx_limit.set(t.limit);
        dp_.tunnel(id).rx_limit.set(t.limit);
      } else {
        dp_.add_tunnel_queue(id, **tun);
      }
      lane_fds_[lane].push_back((*tun)->fd());
      tuns_.push_back(std::move(*tun));
    }
  }
  return {};
}

Checked<void> Engine::configure_links() {
  auto nl = Netlink::open();
  if (!nl) return Unexpected{nl.error()};
  for (const auto& t : configs_) {
    // cloud-facts: "MTU/MSS by cipher (MTU / MSS v4 / MSS IPv6-in-IPv4)" [A-BP]
    if (auto r = nl->set_mtu(t.name, mtu_of(t)); !r) return r;
    if (auto r = nl->add_address(t.name, t.inside_address, t.inside_length); !r) return r;
    if (auto r = nl->set_up(t.name); !r) return r;
    for (const auto& prefix : t.routes) {
      if (auto r = nl->replace_route(prefix, {NextHop{t.name, std::nullopt}}); !r) return r;
    }
  }
  return {};
}

Checked<void> Engine::add_socket(LinuxDatagramSocket::Kind kind, Endpoint local, SocketRole role,
                                 std::size_t lane, LinuxDatagramSocket::Sharing sharing) {
  auto s = LinuxDatagramSocket::open(kind, local, options_.batch, options_.offload, sharing);
  if (!s) return Unexpected{s.error()};
  const bool receive = sharing != LinuxDatagramSocket::Sharing::send_only;
  dp_.add_socket(**s, local, role, lane, receive);
  if (receive) lane_fds_[lane].push_back((*s)->fd());
  sockets_.push_back(std::move(*s));
  return {};
}

Checked<void> Engine::open_sockets() {
  using Kind = LinuxDatagramSocket::Kind;
  using Sharing = LinuxDatagramSocket::Sharing;
  std::set<std::uint32_t> locals, raw_locals;
  for (const auto& t : configs_) {
    locals.insert(t.outer_local.value);
    if (!t.udp_encap) raw_locals.insert(t.outer_local.value);
  }
  const std::size_t n = options_.workers;
  const Sharing udp_share = n > 1 ? Sharing::reuse_port : Sharing::exclusive;
  for (std::uint32_t a : locals) {
    Ipv4Address addr{a};
    for (std::size_t lane = 0; lane < n; ++lane) {
      // RFC 3948: ESP in UDP and IKE share port 4500; RFC 7296 2.23: IKE starts on 500.
      if (auto r = add_socket(Kind::udp, {addr, 4500}, SocketRole::esp_udp, lane, udp_share); !r) {
        return r;
      }
      if (options_.ike_ports && lane == 0) {
        if (auto r = add_socket(Kind::udp, {addr, 500}, SocketRole::ike, 0, Sharing::exclusive);
            !r) {
          return r;
        }
      }
      if (raw_locals.count(a)) {
        const Sharing raw_share = lane == 0 ? Sharing::exclusive : Sharing::send_only;
        if (auto r = add_socket(Kind::raw_esp, {addr, 0}, SocketRole::esp_raw, lane, raw_share);
            !r) {
          return r;
        }
      }
    }
  }
  return {};
}

void Engine::start() {
  if (running_.exchange(true)) return;
  const std::size_t n = options_.workers;
  std::vector<TunnelId> all;
  for (std::size_t i = 0; i < configs_.size(); ++i) {
    all.push_back(TunnelId{static_cast<std::uint16_t>(i)});
  }
  for (std::size_t lane = 0; lane < n; ++lane) {
    out_workers_.push_back(std::make_unique<OutboundWorker>(dp_, all, options_.buffers, lane));
    in_workers_.push_back(std::make_unique<InboundWorker>(dp_, options_.buffers, lane));
  }
  for (std::size_t lane = 0; lane < n; ++lane) {
    threads_.emplace_back([this, lane] { run_worker(lane); });
  }
}

void Engine::stop() {
  if (!running_.exchange(false)) return;
  signal_fd(stop_fd_);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Engine::~Engine() {
  stop();
  out_workers_.clear();
  in_workers_.clear();
  if (stop_fd_ >= 0) ::close(stop_fd_);
  if (control_fd_ >= 0) ::close(control_fd_);
}

void Engine::run_worker(std::size_t lane) {
  std::string name = "dp-" + std::to_string(lane);
  ::pthread_setname_np(::pthread_self(), name.c_str());
  VPNLAB_LOG(info, "dp", "%s started", name.c_str());
  OutboundWorker& out = *out_workers_[lane];
  InboundWorker& in = *in_workers_[lane];
  std::vector<pollfd> fds;
  for (int fd : lane_fds_[lane]) fds.push_back(pollfd{fd, POLLIN, 0});
  fds.push_back(pollfd{stop_fd_, POLLIN, 0});
  auto run_once = [&] { return out.run_once() + in.run_once(); };
  Clock::time_point idle_since{};
  while (running_.load(std::memory_order_relaxed)) {
    if (run_once() > 0 || spin(idle_since, run_once)) continue;
    out.idle();
    in.idle();
    ::poll(fds.data(), fds.size(), 1000);
  }
  out.idle();
  in.idle();
  VPNLAB_LOG(info, "dp", "%s stopped", name.c_str());
}

void Engine::poll_control() {
  drain_fd(control_fd_);
  for (const auto& d : dp_.ike_queue().drain()) {
    if (ike_handler_) ike_handler_(d);
  }
  dp_.poll_control();
}

std::map<std::string, std::uint64_t> Engine::tunnel_counters(const TunnelName& name) const {
  auto t = dp_.find_tunnel(name);
  if (!t) return {};
  return to_map(dp_.tunnel(*t).counters);
}

std::map<std::string, std::uint64_t> Engine::global_counters() const {
  return to_map(dp_.global_counters());
}

}  // namespace vpnlab::dataplane
