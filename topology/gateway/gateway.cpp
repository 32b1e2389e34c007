#include "topology/gateway/gateway.hpp"

#include <ctime>

#include "base/log.hpp"
#include "topology/gateway/manual_keying.hpp"

namespace vpnlab::topology {
namespace {

std::string utc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string hex_spi(esp::Spi spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", spi.value);
  return buf;
}

// Timers scaled by the lab's time factor, never below what the protocol allows.
bgp::Seconds scaled(std::int64_t seconds, double factor, std::int64_t minimum) {
  auto v = static_cast<std::int64_t>(static_cast<double>(seconds) * factor + 0.5);
  return bgp::Seconds(std::max(v, minimum));
}

bgp::SpeakerConfig speaker_config(const GatewayPlan& plan) {
  bgp::SpeakerConfig c;
  c.core.asn = bgp::Asn{static_cast<std::uint32_t>(plan.asn)};
  c.core.router_id = plan.router_id;
  // cloud-facts "ECMP": not on a VGW [A-ROUTE]; Azure active/active spreads flows [Z-AA].
  c.core.multipath = plan.cloud == Cloud::azure;
  c.core.networks = plan.announce;
  for (const auto& n : plan.bgp_neighbors) {
    bgp::SpeakerPeerConfig p;
    auto& s = p.peer.session;
    s.local_asn = c.core.asn;
    s.router_id = plan.router_id;
    s.local_address = n.local;
    s.peer_address = n.peer;
    s.peer_asn = bgp::Asn{static_cast<std::uint32_t>(n.peer_asn)};
    s.hold_time = scaled(n.hold_time_s, plan.time_factor, 3);  // RFC 4271 4.2: 0 or >= 3
    s.keepalive_time = scaled(n.keepalive_s, plan.time_factor, 1);
    s.connect_retry_time = scaled(5, plan.time_factor, 1);
    s.idle_hold_time = scaled(5, plan.time_factor, 1);
    s.passive = n.passive;
    if (plan.cloud == Cloud::azure) p.peer.import.reject_equal_to = plan.reject_equal_to;
    if (n.max_prefixes > 0) p.peer.import.max_prefixes = static_cast<std::size_t>(n.max_prefixes);
    p.peer.export_policy.never_advertise_default = plan.never_announce_default;
    p.peer.device = n.device;
    p.bind_device = n.device;
    c.peers.push_back(std::move(p));
  }
  return c;
}

}  // namespace

Gateway::Gateway(GatewayPlan plan, boost::asio::io_context& io)
    : plan_(std::move(plan)),
      io_(io),
      engine_events_(io),
      started_(std::chrono::system_clock::now()) {}

Gateway::~Gateway() {
  stop();
}

Checked<std::unique_ptr<Gateway>> Gateway::create(GatewayPlan plan, boost::asio::io_context& io,
                                                  const std::string& control_path) {
  std::unique_ptr<Gateway> g(new Gateway(std::move(plan), io));
  std::vector<dataplane::TunnelConfig> configs;
  for (const auto& t : g->plan_.tunnels) {
    dataplane::TunnelConfig c;
    c.name = t.device;
    c.inside_address = t.local_inside;
    c.inside_length = t.inside.length;
    c.outer_local = t.local_outside;
    c.outer_remote = t.remote_outside;
    c.udp_encap = false;  // no NAT between the clouds' public addresses
    c.suite = esp::SuiteId{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
    configs.push_back(c);
    g->tunnels_[t.device] = {};
  }
  auto engine = dataplane::Engine::create(std::move(configs), dataplane::EngineOptions{});
  if (!engine) return Unexpected{engine.error()};
  g->engine_ = std::move(*engine);
  auto control = ControlSocket::open(
      io, control_path, [gw = g.get()](const nlohmann::json& r) { return gw->handle(r); });
  if (!control) return Unexpected{control.error()};
  g->control_ = std::move(*control);
  return g;
}

void Gateway::start() {
  engine_->start();
  engine_events_.assign(::dup(engine_->control_fd()));
  watch_control_fd();
  if (auto rc = start_bgp(); !rc) {
    VPNLAB_LOG(error, "gw", "BGP: %s", rc.error().message.c_str());
  }
  for (const auto& t : plan_.tunnels) {
    if (plan_.keying != "manual") {
      tunnels_[t.device].last_error =
          "IKE keying is not available in this build; use lab.keying: manual";
      continue;
    }
    if (auto rc = bring_up(t); !rc) {
      tunnels_[t.device].last_error = rc.error().message;
      VPNLAB_LOG(error, "gw", "tunnel %s: %s", t.name.c_str(), rc.error().message.c_str());
    }
  }
}

Checked<void> Gateway::start_bgp() {
  if (plan_.bgp_neighbors.empty()) return {};
  auto nl = dataplane::Netlink::open();
  if (!nl) return Unexpected{nl.error()};
  routes_ = std::make_unique<dataplane::NetlinkRouteTable>(std::move(*nl));
  speaker_ = std::make_unique<bgp::Speaker>(io_, speaker_config(plan_), routes_.get());
  if (auto rc = speaker_->start(); !rc) return rc;
  // A BGP session exists only while its tunnel carries it (shared/DESIGN.md).
  for (const auto& t : plan_.tunnels) set_bgp_for_tunnel(t, false);
  return {};
}

void Gateway::set_bgp_for_tunnel(const TunnelPlan& t, bool up) {
  if (!speaker_) return;
  for (const auto& n : plan_.bgp_neighbors) {
    if (n.device == t.device) speaker_->set_peer_enabled(n.peer, up);
  }
}

void Gateway::stop() {
  if (speaker_) speaker_->stop();
  boost::system::error_code ignored;
  engine_events_.close(ignored);
  control_.reset();
  if (engine_) engine_->stop();
}

void Gateway::watch_control_fd() {
  engine_events_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                            [this](boost::system::error_code ec) {
                              if (ec) return;
                              engine_->poll_control();
                              watch_control_fd();
                            });
}

Checked<void> Gateway::bring_up(const TunnelPlan& t) {
  auto sas = derive_manual_sas(t, plan_.cloud == Cloud::aws);
  if (!sas) return Unexpected{sas.error()};
  TunnelState& st = tunnels_[t.device];
  st.spi_in = sas->inbound.spi;
  st.spi_out = sas->outbound.spi;
  auto name = t.device;
  if (auto rc = engine_->add_inbound(name, std::move(sas->inbound)); !rc) {
    return fail(rc.error(), "install inbound SA: " + rc.error().message());
  }
  if (auto rc = engine_->add_outbound(name, std::move(sas->outbound)); !rc) {
    return fail(rc.error(), "install outbound SA: " + rc.error().message());
  }
  if (auto rc = engine_->switch_outbound(name, st.spi_out); !rc) {
    return fail(rc.error(), "switch outbound SA: " + rc.error().message());
  }
  st.up = true;
  st.since = std::chrono::system_clock::now();
  st.last_error.clear();
  set_bgp_for_tunnel(t, true);
  VPNLAB_LOG(info, "gw", "tunnel %s up (manual keys, SPI in %s out %s)", t.name.c_str(),
             hex_spi(st.spi_in).c_str(), hex_spi(st.spi_out).c_str());
  return {};
}

void Gateway::take_down(const TunnelPlan& t, const std::string& why) {
  TunnelState& st = tunnels_[t.device];
  if (!st.up) return;
  (void)engine_->remove(t.device, dataplane::SaDirection::outbound, st.spi_out);
  (void)engine_->remove(t.device, dataplane::SaDirection::inbound, st.spi_in);
  st.up = false;
  st.since = std::chrono::system_clock::now();
  st.last_error = why;
  set_bgp_for_tunnel(t, false);
  VPNLAB_LOG(info, "gw", "tunnel %s down: %s", t.name.c_str(), why.c_str());
}

nlohmann::json Gateway::tunnel_status(const TunnelPlan& t) const {
  const TunnelState& st = tunnels_.at(t.device);
  nlohmann::json j = {{"name", t.name},
                      {"device", t.device},
                      {"status", st.up ? "UP" : "DOWN"},
                      {"outside_local", t.local_outside.to_string()},
                      {"outside_remote", t.remote_outside.to_string()},
                      {"inside_cidr", t.inside.to_string()},
                      {"inside_local", t.local_inside.to_string()},
                      {"inside_remote", t.remote_inside.to_string()},
                      {"keying", plan_.keying},
                      {"aws_vpn_connection", t.aws_vpn_connection},
                      {"aws_tunnel_number", t.aws_tunnel_number},
                      {"azure_connection", t.azure_connection},
                      {"last_error", st.last_error}};
  if (st.since.time_since_epoch().count() != 0) j["last_status_change"] = utc(st.since);
  if (st.up) {
    j["child_sa"] = {
        {"spi_in", hex_spi(st.spi_in)}, {"spi_out", hex_spi(st.spi_out)}, {"suite", "aes256gcm16"}};
  }
  nlohmann::json counters = nlohmann::json::object();
  for (const auto& [k, v] : engine_->tunnel_counters(t.device)) counters[k] = v;
  j["counters"] = counters;
  return j;
}

nlohmann::json Gateway::status() const {
  nlohmann::json tunnels = nlohmann::json::array();
  for (const auto& t : plan_.tunnels) tunnels.push_back(tunnel_status(t));
  nlohmann::json bgp = nullptr;
  if (speaker_) {
    bgp = nlohmann::json::parse(bgp::to_json(speaker_->status()), nullptr, false);
    bgp["routeInstallErrors"] = speaker_->route_install_errors();
  }
  return {{"lab", plan_.lab},
          {"node", plan_.node},
          {"bgp", bgp},
          {"cloud", plan_.cloud == Cloud::aws ? "aws" : "azure"},
          {"display_name", plan_.display_name},
          {"asn", plan_.asn},
          {"instance", plan_.instance},
          {"time_factor", plan_.time_factor},
          {"started", utc(started_)},
          {"tunnels", tunnels}};
}

nlohmann::json Gateway::handle(const nlohmann::json& request) {
  std::string command = request.value("command", "");
  if (command == "status") return status();
  if (command == "tunnel") {
    std::string device = request.value("tunnel", ""), action = request.value("action", "");
    for (const auto& t : plan_.tunnels) {
      if (t.device != device && t.name != device) continue;
      if (action == "down") {
        take_down(t, "taken down by a drill (vpnlab drill)");
        return {{"ok", true}};
      }
      if (action == "up") {
        if (tunnels_[t.device].up) return {{"ok", true}};
        if (plan_.keying != "manual") return {{"error", "IKE keying: the peer must initiate"}};
        auto rc = bring_up(t);
        if (!rc) return {{"error", rc.error().message}};
        return {{"ok", true}};
      }
      return {{"error", "action must be up or down"}};
    }
    return {{"error", "no tunnel named '" + device + "' on " + plan_.node}};
  }
  return {{"error", "unknown command '" + command + "' (status, tunnel)"}};
}

}  // namespace vpnlab::topology
