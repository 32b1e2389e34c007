#include "dataplane/core/dataplane.hpp"

#include <random>

#include "base/log.hpp"
#include "dataplane/core/errors.hpp"

namespace vpnlab::dataplane {

namespace {

esp::SaParams to_params(SaConfig& sa, std::size_t lanes, esp::CryptoBackend crypto) {
  esp::SaParams p;
  p.lanes = static_cast<std::uint32_t>(lanes);
  p.backend = crypto;
  p.spi = sa.spi;
  p.suite = sa.suite;
  p.keys = std::move(sa.keys);
  p.esn = sa.esn;
  p.mode = esp::Mode::tunnel;
  p.replay_window = sa.replay_window;
  p.lifetime.soft_bytes = sa.limits.soft_bytes;
  p.lifetime.hard_bytes = sa.limits.hard_bytes;
  p.lifetime.soft_packets = sa.limits.soft_packets;
  p.lifetime.hard_packets = sa.limits.hard_packets;
  return p;
}

SaCounters to_counters(const esp::SaStats& s) {
  SaCounters c;
  c.packets = s.packets;
  c.bytes = s.bytes;
  c.auth_failures = s.auth_failures;
  c.replay_drops = s.replay_drops;
  c.malformed = s.malformed;
  c.drops = s.drops;
  return c;
}

std::function<std::uint32_t()> default_random() {
  auto rng = std::make_shared<std::mt19937>(std::random_device{}());
  return [rng] { return static_cast<std::uint32_t>((*rng)()); };
}

}  // namespace

Dataplane::Dataplane(Options options)
    : options_(std::move(options)),
      table_(std::make_unique<SaTable>(), options_.max_workers),
      ike_queue_(options_.control_queue_capacity) {
  if (!options_.random) options_.random = default_random();
  if (options_.lanes == 0) options_.lanes = 1;
}

Dataplane::~Dataplane() = default;

TunnelId Dataplane::add_tunnel(TunnelName name, TunDevice& tun, std::uint16_t max_mss) {
  Tunnel& t = tunnels_.emplace_back();
  t.name = std::move(name);
  t.tun = &tun;
  t.queues.push_back(&tun);
  t.max_mss = max_mss;
  return TunnelId{static_cast<std::uint16_t>(tunnels_.size() - 1)};
}

void Dataplane::add_tunnel_queue(TunnelId t, TunDevice& queue) {
  tunnels_[t.value].queues.push_back(&queue);
}

void Dataplane::add_socket(DatagramSocket& socket, Endpoint local, SocketRole role,
                           std::size_t lane, bool receive) {
  sockets_.push_back(SocketPort{&socket, local, role, lane, receive});
}

std::optional<TunnelId> Dataplane::find_tunnel(const TunnelName& name) const {
  for (std::size_t i = 0; i < tunnels_.size(); ++i) {
    if (tunnels_[i].name == name) return TunnelId{static_cast<std::uint16_t>(i)};
  }
  return std::nullopt;
}

// The lane's own socket for the outer path, else the first one (lane 0's).
DatagramSocket* Dataplane::socket_for(const OuterPath& outer, std::size_t lane) const {
  SocketRole want = outer.udp_encap ? SocketRole::esp_udp : SocketRole::esp_raw;
  DatagramSocket* first = nullptr;
  for (const auto& s : sockets_) {
    if (s.role != want || s.local.address != outer.local) continue;
    if (outer.udp_encap && s.local.port != outer.local_port) continue;
    if (s.lane == lane) return s.socket;
    if (first == nullptr) first = s.socket;
  }
  return first;
}

std::unique_ptr<SaTable> Dataplane::copy_table() const {
  auto next = std::make_unique<SaTable>(*table_.current());
  next->active_out.resize(tunnels_.size());
  return next;
}

Result<esp::Spi> Dataplane::reserve_spi() {
  std::lock_guard lock(control_mu_);
  const SaTable* cur = table_.current();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::uint32_t v = options_.random();
    // RFC 4303 2.1: 0 is reserved for local use, 1..255 reserved by IANA.
    if (v < 256 || reserved_spis_.count(v) || cur->inbound.count(v)) continue;
    reserved_spis_.insert(v);
    return esp::Spi{v};
  }
  return Unexpected{make_error_code(errc::spi_exhausted)};
}

Result<void> Dataplane::add_inbound(const TunnelName& tunnel, SaConfig sa) {
  auto t = find_tunnel(tunnel);
  if (!t) return Unexpected{make_error_code(errc::unknown_tunnel)};
  std::lock_guard lock(control_mu_);
  if (table_.current()->inbound.count(sa.spi.value)) {
    return Unexpected{make_error_code(errc::spi_in_use)};
  }
  esp::SaParams params = to_params(sa, options_.lanes, options_.crypto);
  auto created = esp::InboundSa::create(params);
  if (!created) return Unexpected{created.error()};
  auto next = copy_table();
  next->inbound.emplace(sa.spi.value,
                        InboundEntry{std::shared_ptr<esp::InboundSa>(std::move(*created)), *t});
  table_.publish(std::move(next));
  reserved_spis_.erase(sa.spi.value);
  VPNLAB_LOG(info, "dp", "tunnel %s: inbound SA 0x%08x installed", tunnel.c_str(), sa.spi.value);
  return {};
}

Result<std::shared_ptr<OutboundEntry>> Dataplane::make_outbound(TunnelId t, SaConfig& sa) const {
  DatagramSocket* socket = socket_for(sa.outer, 0);
  if (socket == nullptr) return Unexpected{make_error_code(errc::no_socket)};
  esp::SaParams params = to_params(sa, options_.lanes, options_.crypto);
  auto created = esp::OutboundSa::create(params);
  if (!created) return Unexpected{created.error()};
  auto e = std::make_shared<OutboundEntry>();
  e->sa = std::shared_ptr<esp::OutboundSa>(std::move(*created));
  e->tunnel = t;
  e->socket = socket;
  for (std::size_t lane = 0; lane < options_.lanes; ++lane) {
    e->lane_sockets.push_back(socket_for(sa.outer, lane));
  }
  e->peer = Endpoint{sa.outer.remote, sa.outer.udp_encap ? sa.outer.remote_port : std::uint16_t{0}};
  e->outer = sa.outer;
  return e;
}

Result<void> Dataplane::add_outbound(const TunnelName& tunnel, SaConfig sa) {
  auto t = find_tunnel(tunnel);
  if (!t) return Unexpected{make_error_code(errc::unknown_tunnel)};
  std::lock_guard lock(control_mu_);
  if (table_.current()->outbound.count(sa.spi.value)) {
    return Unexpected{make_error_code(errc::spi_in_use)};
  }
  auto entry = make_outbound(*t, sa);
  if (!entry) return Unexpected{entry.error()};
  auto next = copy_table();
  next->outbound.emplace(sa.spi.value, std::move(*entry));
  table_.publish(std::move(next));
  VPNLAB_LOG(info, "dp", "tunnel %s: outbound SA 0x%08x installed", tunnel.c_str(), sa.spi.value);
  return {};
}

Result<void> Dataplane::switch_outbound(const TunnelName& tunnel, esp::Spi spi) {
  auto t = find_tunnel(tunnel);
  if (!t) return Unexpected{make_error_code(errc::unknown_tunnel)};
  std::lock_guard lock(control_mu_);
  auto it = table_.current()->outbound.find(spi.value);
  if (it == table_.current()->outbound.end() || it->second->tunnel != *t) {
    return Unexpected{make_error_code(errc::unknown_sa)};
  }
  auto next = copy_table();
  next->active_out[t->value] = it->second;
  table_.publish(std::move(next));
  VPNLAB_LOG(info, "dp", "tunnel %s: outbound switched to SA 0x%08x", tunnel.c_str(), spi.value);
  return {};
}

Result<void> Dataplane::remove(const TunnelName& tunnel, SaDirection dir, esp::Spi spi) {
  auto t = find_tunnel(tunnel);
  if (!t) return Unexpected{make_error_code(errc::unknown_tunnel)};
  std::lock_guard lock(control_mu_);
  auto next = copy_table();
  if (dir == SaDirection::inbound) {
    auto it = next->inbound.find(spi.value);
    if (it == next->inbound.end() || it->second.tunnel != *t) {
      return Unexpected{make_error_code(errc::unknown_sa)};
    }
    next->inbound.erase(it);
  } else {
    auto it = next->outbound.find(spi.value);
    if (it == next->outbound.end() || it->second->tunnel != *t) {
      return Unexpected{make_error_code(errc::unknown_sa)};
    }
    if (next->active_out[t->value] == it->second) next->active_out[t->value].reset();
    next->outbound.erase(it);
  }
  table_.publish(std::move(next));
  VPNLAB_LOG(info, "dp", "tunnel %s: %s SA 0x%08x removed", tunnel.c_str(),
             dir == SaDirection::inbound ? "inbound" : "outbound", spi.value);
  return {};
}

Result<SaCounters> Dataplane::counters(SaDirection dir, esp::Spi spi) const {
  std::lock_guard lock(control_mu_);
  const SaTable* cur = table_.current();
  if (dir == SaDirection::inbound) {
    const InboundEntry* e = cur->find_inbound(spi.value);
    if (e == nullptr) return Unexpected{make_error_code(errc::unknown_sa)};
    return to_counters(e->sa->stats());
  }
  auto it = cur->outbound.find(spi.value);
  if (it == cur->outbound.end()) return Unexpected{make_error_code(errc::unknown_sa)};
  return to_counters(it->second->sa->stats());
}

void Dataplane::on_lifetime(LifetimeHandler handler) {
  std::lock_guard lock(control_mu_);
  lifetime_handler_ = std::move(handler);
}

void Dataplane::set_wakeup(std::function<void()> wake) {
  wake_ = wake;
  ike_queue_.set_wakeup(std::move(wake));
}

void Dataplane::report_lifetime(SaDirection dir, esp::Spi spi, esp::LifetimeEvent ev) {
  if (ev == esp::LifetimeEvent::none) return;
  LifetimeEvent out = ev == esp::LifetimeEvent::soft_expired ? LifetimeEvent::soft_expired
                                                             : LifetimeEvent::hard_expired;
  {
    std::lock_guard lock(events_mu_);
    events_.push_back(PendingEvent{dir, spi, out});
  }
  if (wake_) wake_();
}

void Dataplane::poll_control() {
  std::vector<PendingEvent> events;
  {
    std::lock_guard lock(events_mu_);
    events.swap(events_);
  }
  LifetimeHandler handler;
  {
    std::lock_guard lock(control_mu_);
    handler = lifetime_handler_;
  }
  for (const auto& e : events) {
    if (handler) handler(e.dir, e.spi, e.event);
  }
  table_.reclaim();
}

Result<void> Dataplane::send_ike(const Endpoint& local, const Endpoint& remote, ByteSpan message) {
  for (const auto& s : sockets_) {
    if (s.local != local || s.role == SocketRole::esp_raw) continue;
    if (s.role == SocketRole::ike) return s.socket->send_control(remote, message);
    // RFC 3948 2.2: IKE on the ESP-in-UDP port starts with a 4-byte zero non-ESP marker.
    Bytes framed(4, 0);
    framed.insert(framed.end(), message.begin(), message.end());
    return s.socket->send_control(remote, framed);
  }
  return Unexpected{make_error_code(errc::no_socket)};
}

Result<void> Dataplane::send_nat_keepalive(const Endpoint& local, const Endpoint& remote) {
  static constexpr std::uint8_t kKeepalive[1] = {0xff};
  for (const auto& s : sockets_) {
    if (s.local == local && s.role == SocketRole::esp_udp) {
      return s.socket->send_control(remote, ByteSpan(kKeepalive, 1));
    }
  }
  return Unexpected{make_error_code(errc::no_socket)};
}

}  // namespace vpnlab::dataplane
