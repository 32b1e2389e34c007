#include "topology/gateway/gateway.hpp"

#include "base/log.hpp"
#include "dataplane/core/tunnel_mtu.hpp"
#include "esp/overhead.hpp"
#include "topology/gateway/ike_config.hpp"
#include "topology/gateway/manual_keying.hpp"
#include "topology/gateway/status_format.hpp"

namespace vpnlab::topology {
namespace {

// Timers scaled by the lab's time factor, never below what the protocol allows.
bgp::Seconds scaled(std::int64_t seconds, double factor, std::int64_t minimum) {
  auto v = static_cast<std::int64_t>(static_cast<double>(seconds) * factor + 0.5);
  return bgp::Seconds(std::max(v, minimum));
}

// On a host, a route learned over a tunnel must not replace the host's route to its own
// subnets or to a peer's outside address (host_attach.cpp's /32s): IKE and ESP would then
// loop into the tunnel they carry.
void host_protected(const GatewayPlan& plan, std::vector<Ipv4Prefix>& reject) {
  for (const auto& a : plan.underlay->addresses) reject.push_back({a.network(), a.length});
  for (const auto& t : plan.tunnels) reject.push_back({t.remote_outside, 32});
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
    if (plan.underlay) host_protected(plan, p.peer.import.reject_equal_to);
    if (n.max_prefixes > 0) p.peer.import.max_prefixes = static_cast<std::size_t>(n.max_prefixes);
    p.peer.export_policy.never_advertise_default = plan.never_announce_default;
    p.peer.device = n.device;
    p.bind_device = n.device;
    c.peers.push_back(std::move(p));
  }
  return c;
}

// The TUN MTU must fit whatever suite IKE may negotiate: size it for the proposal with the
// most ESP overhead (manual keying always uses AES-256-GCM).
esp::SuiteId mtu_suite(const GatewayPlan& plan, const TunnelPlan& t) {
  esp::SuiteId gcm{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
  if (plan.keying != "ike") return gcm;
  esp::SuiteId worst = gcm;
  auto size = [](const esp::SuiteId& s) {
    auto o = esp::overhead(s);
    return o.headroom + o.max_tailroom;
  };
  for (const auto& p : t.esp_proposals) {
    auto suites = parse_esp_proposal(p);
    if (!suites) continue;
    for (const auto& c : *suites) {
      if (size(c.esp) > size(worst)) worst = c.esp;
    }
  }
  return worst;
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
    c.suite = mtu_suite(g->plan_, t);
    // A host gateway's peer may be behind a NAT (ESP in UDP, RFC 3948: 8 bytes more).
    if (g->plan_.underlay) c.mtu = dataplane::tunnel_mtu(c.suite, true);
    c.limit = {t.limit_gbps * 1e9, static_cast<double>(t.limit_pps)};
    configs.push_back(c);
    g->tunnels_[t.device] = {};
  }
  dataplane::EngineOptions options;
  options.aggregate = {g->plan_.aggregate_limit_gbps * 1e9, 0};
  options.esp_transport = dataplane::parse_esp_transport(g->plan_.esp_transport)
                              .value_or(dataplane::EspTransport::raw_socket);
  auto engine = dataplane::Engine::create(std::move(configs), options);
  if (!engine) return Unexpected{engine.error()};
  g->engine_ = std::move(*engine);
  g->keys_ = std::make_unique<KeyLog>(g->plan_);
  g->installer_ = std::make_unique<KeyRecordingInstaller>(*g->engine_, *g->keys_);
  auto control = ControlSocket::open(
      io, control_path, [gw = g.get()](const nlohmann::json& r) { return gw->handle(r); });
  if (!control) return Unexpected{control.error()};
  g->control_ = std::move(*control);
  return g;
}

Checked<void> Gateway::start(const std::function<Checked<void>()>& setup_done) {
  // BGP binds port 179 (CAP_NET_BIND_SERVICE) before privileges go; its sessions only run
  // once io_context does, after the dataplane below.
  if (auto rc = start_bgp(); !rc) {
    VPNLAB_LOG(error, "gw", "BGP: %s", rc.error().message.c_str());
  }
  // Worker threads inherit the capabilities of this one: drop them before the first starts.
  if (setup_done) {
    if (auto rc = setup_done(); !rc) return rc;
  }
  engine_->start();
  engine_events_.assign(::dup(engine_->control_fd()));
  watch_control_fd();
  if (plan_.keying == "ike") {
    if (auto rc = start_ike(); !rc) {
      for (const auto& t : plan_.tunnels) tunnels_[t.device].last_error = rc.error().message;
      VPNLAB_LOG(error, "gw", "IKE: %s", rc.error().message.c_str());
    }
    return {};
  }
  for (const auto& t : plan_.tunnels) {
    if (auto rc = bring_up(t); !rc) {
      tunnels_[t.device].last_error = rc.error().message;
      VPNLAB_LOG(error, "gw", "tunnel %s: %s", t.name.c_str(), rc.error().message.c_str());
    }
  }
  return {};
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

// IKE rides on the dataplane's sockets (shared/DESIGN.md packet path): datagrams with the
// non-ESP marker on 4500, or on 500, reach the daemon through the engine, and the daemon's
// sends leave through the engine's socket for that local address.
Checked<void> Gateway::start_ike() {
  ike_ = std::make_unique<ike::IkeManager>(rng_, *installer_, ike_counters_);
  for (const auto& t : plan_.tunnels) {
    auto cfg = ike_peer_config(plan_, t);
    if (!cfg) return fail(cfg.error().code, "tunnel " + t.name + ": " + cfg.error().message);
    ike_->add_peer(std::move(*cfg));
  }
  ike::IkeDaemon::Options options;
  options.external_transport = true;
  ike_daemon_ = std::make_unique<ike::IkeDaemon>(io_, options, *ike_, ike_counters_);
  ike_daemon_->send_hook = [this](const ike::Datagram& d) {
    auto rc = engine_->send_ike({d.from.address, d.from.port}, {d.to.address, d.to.port}, d.data);
    if (!rc) ike_counters_.get("ike.tx.send_error").add();
  };
  // Sent only when IKE finds this gateway behind a NAT (RFC 3948 4); the reference lab has
  // none between the clouds' public addresses, but a user's lab may.
  ike_daemon_->keepalive_hook = [this](const ike::Endpoint& from, const ike::Endpoint& to) {
    if (!engine_->send_nat_keepalive({from.address, from.port}, {to.address, to.port})) {
      ike_counters_.get("ike.tx.send_error").add();
    }
  };
  ike_daemon_->on_event = [this](const ike::Event& e) { on_ike_event(e); };
  engine_->on_ike([this](const dataplane::IkeDatagram& d) {
    ike_daemon_->deliver(
        {{d.remote.address, d.remote.port}, {d.local.address, d.local.port}, d.payload});
    // A responder's rekeyed CHILD_SA raises no IKE event: note SAs after every message, so
    // each end counts every SA it saw established (sas_established in status).
    note_established_sas();
  });
  if (auto ec = ike_daemon_->start()) return fail(ec, "IKE daemon: " + ec.message());
  for (const auto& t : plan_.tunnels) {
    if (t.start != IkeStart::respond_only) ike_daemon_->connect(t.device);
  }
  return {};
}

void Gateway::on_ike_event(const ike::Event& e) {
  const char* problem = nullptr;
  switch (e.kind) {
    case ike::EventKind::authentication_failed:
      problem = "authentication failed (AUTHENTICATION_FAILED): check the PSK";
      break;
    case ike::EventKind::no_proposal_chosen:
      problem = "no proposal chosen (NO_PROPOSAL_CHOSEN): the algorithm lists do not overlap";
      break;
    case ike::EventKind::peer_dead:
      problem = "peer not responding (dead peer detection)";
      break;
    case ike::EventKind::retransmit_give_up:
      problem = "peer not responding (IKE retransmissions gave up)";
      break;
    default:
      break;
  }
  for (const auto& t : plan_.tunnels) {
    if (problem && (e.detail == t.device || e.detail == t.name)) {
      tunnels_[t.device].last_error = problem;
      VPNLAB_LOG(warn, "gw", "tunnel %s: %s", t.name.c_str(), problem);
    }
  }
  refresh_ike_tunnels();
  // An IKE_SA that ended without an error (an INFORMATIONAL DELETE, from either end) and
  // left its tunnel down: say so, for status and drill reports (a drill's own `tunnel down`
  // overwrites it with its own words).
  if (e.kind != ike::EventKind::ike_closed) return;
  for (const auto& t : plan_.tunnels) {
    TunnelState& st = tunnels_[t.device];
    if (e.detail == t.device && !st.up && st.last_error.empty())
      st.last_error = "IKE_SA deleted (INFORMATIONAL DELETE)";
  }
}

// A tunnel is UP while an established IKE_SA has a CHILD_SA whose outbound SA is in use.
void Gateway::refresh_ike_tunnels() {
  note_established_sas();
  for (const auto& t : plan_.tunnels) {
    TunnelState& st = tunnels_[t.device];
    bool up = false;
    for (ike::IkeSa* sa : ike_->sas_for(t.device)) {
      if (sa->state() != ike::IkeState::established) continue;
      for (const auto& c : sa->children()) {
        if (!c.outbound_active) continue;
        up = true;
        st.spi_in = c.inbound;
        st.spi_out = c.outbound;
      }
    }
    if (up == st.up) continue;
    st.up = up;
    st.since = std::chrono::system_clock::now();
    if (up) st.last_error.clear();
    set_bgp_for_tunnel(t, up);
    VPNLAB_LOG(info, "gw", "tunnel %s %s (IKE)", t.name.c_str(), up ? "up" : "down");
  }
}

void Gateway::stop() {
  if (ike_daemon_) ike_daemon_->stop();
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
  if (auto rc = installer_->add_inbound(name, std::move(sas->inbound)); !rc) {
    return fail(rc.error(), "install inbound SA: " + rc.error().message());
  }
  if (auto rc = installer_->add_outbound(name, std::move(sas->outbound)); !rc) {
    return fail(rc.error(), "install outbound SA: " + rc.error().message());
  }
  keys_->pair(st.spi_in, st.spi_out);
  if (auto rc = installer_->switch_outbound(name, st.spi_out); !rc) {
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
  (void)installer_->remove(t.device, dataplane::SaDirection::outbound, st.spi_out);
  (void)installer_->remove(t.device, dataplane::SaDirection::inbound, st.spi_in);
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
  if (t.limit_gbps > 0 || t.limit_pps > 0) {
    j["emulated_limit"] = {{"gbps", t.limit_gbps}, {"pps", t.limit_pps}};
  }
  if (ike_) {
    j["ike_sas"] = ike_status(t);
    j["sas_established"] = {{"ike", st.ike_sas_established}, {"child", st.child_sas_established}};
  } else if (st.up) {
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
  nlohmann::json ike_counters = nlohmann::json::object();
  for (const auto& [k, v] : ike_counters_.snapshot()) ike_counters[k] = v;
  nlohmann::json dp_counters = nlohmann::json::object();
  for (const auto& [k, v] : engine_->global_counters()) dp_counters[k] = v;
  nlohmann::json bgp_counters = nlohmann::json::object();
  if (speaker_) {
    for (const auto& [k, v] : speaker_->core().counters().snapshot()) bgp_counters[k] = v;
  }
  return {{"lab", plan_.lab},
          {"node", plan_.node},
          {"bgp", bgp},
          {"counters", {{"ike", ike_counters}, {"dataplane", dp_counters}, {"bgp", bgp_counters}}},
          {"cloud", plan_.cloud == Cloud::aws ? "aws" : "azure"},
          {"display_name", plan_.display_name},
          {"asn", plan_.asn},
          {"instance", plan_.instance},
          {"time_factor", plan_.time_factor},
          {"esp_transport", engine_->esp_transport()},
          {"esp_transport_requested", plan_.esp_transport},
          {"esp_transport_fallback", engine_->esp_transport_fallback()},
          {"started", utc(started_)},
          {"tunnels", tunnels}};
}

// A drill: rekey the tunnel's CHILD_SA in use (RFC 7296 2.8) or its IKE_SA (2.18) now, from
// this end, as the lifetime timers would.
nlohmann::json Gateway::rekey(const TunnelPlan& t, bool ike_sa) {
  if (!ike_) return {{"error", "manual keying: no IKE to rekey with"}};
  for (ike::IkeSa* sa : ike_->sas_for(t.device)) {
    if (sa->state() != ike::IkeState::established) continue;
    if (ike_sa) {
      ike_daemon_->apply(
          ike_->with_sa(sa->local_spi(), [](ike::IkeSa& s) { return s.rekey_ike(); }));
      return {{"ok", true}};
    }
    for (const auto& c : sa->children()) {
      if (!c.outbound_active) continue;
      esp::Spi in = c.inbound;
      ike_daemon_->apply(
          ike_->with_sa(sa->local_spi(), [in](ike::IkeSa& s) { return s.rekey_child(in); }));
      return {{"ok", true}};
    }
  }
  return {{"error", "tunnel " + t.name + " has no established IKE_SA to rekey"}};
}

// A drill: close the tunnel's BGP session with Cease / Administrative Reset (RFC 4486 §4);
// both ends restart it by the normal FSM after their idle hold time, the tunnel stays up.
nlohmann::json Gateway::bgp_reset(const TunnelPlan& t) {
  if (!speaker_) return {{"error", "no BGP on " + plan_.node}};
  for (const auto& n : plan_.bgp_neighbors) {
    if (n.device != t.device) continue;
    if (speaker_->reset_peer(n.peer)) return {{"ok", true}, {"peer", n.peer.to_string()}};
    return {{"error", "BGP session with " + n.peer.to_string() + " over " + t.device +
                          " is not open: nothing to reset"}};
  }
  return {{"error", "tunnel " + t.name + " carries no BGP session"}};
}

nlohmann::json Gateway::handle(const nlohmann::json& request) {
  std::string command = request.value("command", "");
  if (command == "status") return status();
  if (command == "keys") {
    // SECRETS: only over this root-only socket, to `vpnlab capture`; never logged.
    nlohmann::json j = to_json(keys_->snapshot());
    j["lab"] = plan_.lab;
    j["node"] = plan_.node;
    return j;
  }
  if (command == "tunnel") {
    std::string device = request.value("tunnel", ""), action = request.value("action", "");
    for (const auto& t : plan_.tunnels) {
      if (t.device != device && t.name != device) continue;
      if (action == "down" && ike_) {
        // Delete the IKE_SA (and its CHILD_SAs) with an INFORMATIONAL DELETE to the peer.
        for (ike::IkeSa* sa : ike_->sas_for(t.device)) {
          ike_daemon_->apply(
              ike_->with_sa(sa->local_spi(), [](ike::IkeSa& s) { return s.close(); }));
        }
        tunnels_[t.device].last_error = "taken down by a drill (vpnlab tunnel down)";
        refresh_ike_tunnels();
        return {{"ok", true}};
      }
      if (action == "down") {
        take_down(t, "taken down by a drill (vpnlab tunnel down)");
        return {{"ok", true}};
      }
      if (action == "rekey" || action == "rekey-ike") return rekey(t, action == "rekey-ike");
      if (action == "bgp-reset") return bgp_reset(t);
      if (action == "up") {
        if (tunnels_[t.device].up) return {{"ok", true}};
        if (ike_) {
          if (t.start == IkeStart::respond_only) {
            // cloud-facts "Connection modes": ResponderOnly never initiates; the peer will.
            return {{"ok", true}, {"note", "responder only: waits for the peer to initiate"}};
          }
          ike_daemon_->connect(t.device);
          return {{"ok", true}};
        }
        auto rc = bring_up(t);
        if (!rc) return {{"error", rc.error().message}};
        return {{"ok", true}};
      }
      return {{"error", "action must be up, down, rekey, rekey-ike or bgp-reset"}};
    }
    return {{"error", "no tunnel named '" + device + "' on " + plan_.node}};
  }
  return {{"error", "unknown command '" + command + "' (status, tunnel, keys)"}};
}

}  // namespace vpnlab::topology
