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
    }
  }
  if (raw_locals.empty()) return {};
  if (options_.esp_transport == EspTransport::raw_socket) return open_raw_esp(raw_locals);
  auto fast = open_packet_esp(raw_locals);
  if (fast) return {};
  if (options_.esp_transport == EspTransport::af_packet) return fast;
  esp_fallback_ = fast.error().message;
  VPNLAB_LOG(warn, "dp", "raw ESP: the af_packet transport did not start (%s); using raw sockets",
             esp_fallback_.c_str());
  return open_raw_esp(raw_locals);
}

// Protocol-50 sockets: lane 0 receives, the other lanes send on filtered ones (raw(7)).
Checked<void> Engine::open_raw_esp(const std::set<std::uint32_t>& raw_locals) {
  using Kind = LinuxDatagramSocket::Kind;
  using Sharing = LinuxDatagramSocket::Sharing;
  // A table left by an earlier af_packet gateway that died here would hide ESP from these
  // sockets: removed when af_packet was asked for (where nft is missing there is none). A
  // namespace only ever on raw_socket has none, and its start spawns nothing.
  if (options_.esp_transport != EspTransport::raw_socket) {
    (void)run_nft(esp_ingress_remove_script());
  }
  for (std::uint32_t a : raw_locals) {
    for (std::size_t lane = 0; lane < options_.workers; ++lane) {
      const Sharing share = lane == 0 ? Sharing::exclusive : Sharing::send_only;
      if (auto r = add_socket(Kind::raw_esp, {Ipv4Address{a}, 0}, SocketRole::esp_raw, lane, share);
          !r) {
        return r;
      }
    }
  }
  return {};
}

// Packet sockets per local address and lane, and the ingress drop on the devices the peers
// are reached through. Nothing is attached to the dataplane unless all of it works.
Checked<void> Engine::open_packet_esp(const std::set<std::uint32_t>& raw_locals) {
  auto nl = Netlink::open();
  if (!nl) return Unexpected{nl.error()};
  std::vector<std::string> devices;
  int ifindex = 0;
  for (const auto& t : configs_) {
    if (t.udp_encap) continue;
    auto route = nl->route_to(t.outer_remote);
    if (!route) return Unexpected{route.error()};
    auto link = nl->link_by_index(route->ifindex);
    if (!link) return Unexpected{link.error()};
    if (std::find(devices.begin(), devices.end(), link->name) == devices.end()) {
      devices.push_back(link->name);
      ifindex = link->index;
    }
  }
  if (devices.size() > 1) ifindex = 0;  // peers behind several devices: listen on all
  std::vector<std::unique_ptr<PacketEspSocket>> opened;
  std::vector<Ipv4Address> locals;
  std::uint16_t group = static_cast<std::uint16_t>(::getpid());
  for (std::uint32_t a : raw_locals) {
    locals.push_back(Ipv4Address{a});
    PacketEspSocket::Options o{options_.batch, group++, options_.qdisc_bypass, ifindex,
                               options_.packet_rx_mode};
    for (std::size_t lane = 0; lane < options_.workers; ++lane) {
      auto s = PacketEspSocket::open(Ipv4Address{a}, o);
      if (!s) return Unexpected{s.error()};
      opened.push_back(std::move(*s));
    }
  }
  auto drop = EspIngressDrop::install(devices, locals);
  if (!drop) return Unexpected{drop.error()};
  ingress_drop_ = std::move(*drop);
  std::size_t i = 0;
  for (std::uint32_t a : raw_locals) {
    for (std::size_t lane = 0; lane < options_.workers; ++lane, ++i) {
      dp_.add_socket(*opened[i], {Ipv4Address{a}, 0}, SocketRole::esp_raw, lane, true);
      lane_fds_[lane].push_back(opened[i]->fd());
    }
  }
  packet_sockets_ = std::move(opened);
  return {};
}

std::string Engine::esp_transport() const {
  if (!packet_sockets_.empty()) return "af_packet";
  for (const auto& t : configs_) {
    if (!t.udp_encap) return "raw socket";
  }
  return "none";
}

const char* esp_transport_name(EspTransport t) {
  switch (t) {
    case EspTransport::raw_socket:
      return "raw_socket";
    case EspTransport::af_packet:
      return "af_packet";
    case EspTransport::automatic:
      return "auto";
  }
  return "raw_socket";
}

std::optional<EspTransport> parse_esp_transport(std::string_view name) {
  for (EspTransport t :
       {EspTransport::raw_socket, EspTransport::af_packet, EspTransport::automatic}) {
    if (name == esp_transport_name(t)) return t;
  }
  return std::nullopt;
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
  auto m = to_map(dp_.global_counters());
  if (packet_sockets_.empty()) return m;
  std::uint64_t tx = 0, kernel = 0, rx = 0, bad = 0;
  for (const auto& s : packet_sockets_) {
    const auto& c = s->counters();
    tx += c.tx_frames.load(std::memory_order_relaxed);
    kernel += c.tx_kernel.load(std::memory_order_relaxed);
    rx += c.rx_frames.load(std::memory_order_relaxed);
    bad += c.rx_malformed.load(std::memory_order_relaxed);
  }
  m["dp.af_packet.tx.frames"] = tx;
  m["dp.af_packet.tx.via_kernel"] = kernel;
  m["dp.af_packet.rx.frames"] = rx;
  m["dp.af_packet.rx.drop.malformed"] = bad;
  return m;
}

}  // namespace vpnlab::dataplane
