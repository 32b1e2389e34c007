#pragma once
// Engine: a gateway's live ESP dataplane on Linux. Owns one TUN device per tunnel (named for
// it, holding the tunnel's inside address, MTU set for the ESP overhead), the outer sockets
// (UDP 4500 with the non-ESP marker, UDP 500, raw ESP) per local address, and the worker
// threads; implements SaInstaller over them (dataplane/core Dataplane).
//
// Threads: `workers` worker threads (default one per core), each a lane of the Dataplane
// that carries both directions: worker w reads queue w of every tunnel's multi-queue TUN
// (IFF_MULTI_QUEUE; the kernel spreads flows over the queues), its own UDP 4500 socket per
// local address (SO_REUSEPORT; the kernel spreads peers over the sockets), and sends on its
// own sockets. SAs are shared between workers: sequence numbers in blocks per batch, replay
// windows locked twice per batch, one cipher context per worker (esp/sa.hpp). Raw ESP on the
// raw_socket transport is received by worker 0 only (raw sockets each get a copy of every
// packet); the other workers send on filtered send-only raw sockets. On the af_packet
// transport every worker has a packet socket per local address, one fanout group spreading
// peers over them as SO_REUSEPORT does for UDP. UDP 500 (IKE) is worker 0's. Workers spin while
// packets flow and block in poll() when idle. The control thread (IKE's io_context, or the
// manual runner's main) calls SaInstaller methods, send_ike, and poll_control() when
// control_fd() is readable.
//
// Lifecycle: create() (devices configured, nothing running) -> start() -> stop() (also in the
// destructor). The TUN devices disappear with the Engine.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/ip.hpp"
#include "dataplane/core/dataplane.hpp"
#include "dataplane/core/inbound.hpp"
#include "dataplane/core/outbound.hpp"
#include "dataplane/linux/datagram_socket.hpp"
#include "dataplane/linux/esp_ingress_drop.hpp"
#include "dataplane/linux/packet_socket.hpp"
#include "dataplane/linux/tun_device.hpp"

namespace vpnlab::dataplane {

struct TunnelConfig {
  TunnelName name;             // the TUN device's name too (<= 15 characters)
  Ipv4Address inside_address;  // e.g. 169.254.10.1 (APIPA, cloud-facts inside CIDRs)
  std::uint8_t inside_length = 30;
  Ipv4Address outer_local, outer_remote;
  bool udp_encap = true;
  esp::SuiteId suite;              // sets the MTU (tunnel_mtu.hpp) and the MSS clamp
  std::uint16_t mtu = 0;           // 0: from suite and encapsulation
  std::vector<Ipv4Prefix> routes;  // prefixes routed into the tunnel (manual mode)
  RateLimit limit;                 // per direction; none unless the lab emulates limits
};

/// How raw ESP (IP protocol 50) leaves and enters the gateway:
///   raw_socket  protocol-50 sockets (datagram_socket.hpp): the kernel builds and strips the
///               outer header, every packet takes the IP path;
///   af_packet   packet sockets (packet_socket.hpp) with an nftables ingress drop
///               (esp_ingress_drop.hpp); create() fails if they cannot start;
///   automatic   af_packet, else raw_socket with the reason logged and kept for status.
enum class EspTransport { raw_socket, af_packet, automatic };
/// "raw_socket" | "af_packet" | "auto".
const char* esp_transport_name(EspTransport t);
std::optional<EspTransport> parse_esp_transport(std::string_view name);

struct EngineOptions {
  /// Worker threads (lanes), each carrying both directions; 0: one per core.
  std::size_t workers = 0;
  /// The ESP cipher library (esp/crypto_backend.hpp); automatic: ipsec-mb where it runs.
  esp::CryptoBackend crypto = esp::CryptoBackend::automatic;
  std::size_t batch = 64;  // packets per device read/write call
  bool ike_ports = true;   // also open UDP 500 per local address
  /// TUN TSO (IFF_VNET_HDR), UDP GSO and GRO where the kernel offers them.
  bool offload = true;
  /// Microseconds an idle worker keeps polling before it blocks (0: block at once).
  unsigned spin_us = 0;
  /// Per worker: pool buffers, buffer size, batch capacity (a TSO read yields up to ~45
  /// segments, so batches hold several reads).
  WorkerBuffers buffers{2048, 2048, 256};
  /// Over all tunnels, per direction (an Azure SKU's aggregate when the lab emulates limits).
  RateLimit aggregate;
  /// The raw ESP path (tunnels with udp_encap false).
  EspTransport esp_transport = EspTransport::raw_socket;
  /// af_packet: PACKET_QDISC_BYPASS on sends (packet captures then miss them).
  bool qdisc_bypass = false;
  /// af_packet: how the packet sockets receive (packet_socket.hpp PacketRxMode).
  PacketRxMode packet_rx_mode = PacketRxMode::ring_v3;
};

class Engine final : public SaInstaller {
 public:
  /// Creates and configures the TUN devices (address, MTU, up, routes) and binds the
  /// sockets in the calling thread's network namespace. Errors name the device or address.
  static Checked<std::unique_ptr<Engine>> create(std::vector<TunnelConfig> tunnels,
                                                 EngineOptions options);
  ~Engine() override;

  void start();
  void stop();

  // SaInstaller (control thread).
  Result<esp::Spi> reserve_spi() override { return dp_.reserve_spi(); }
  Result<void> add_inbound(const TunnelName& t, SaConfig sa) override {
    return dp_.add_inbound(t, std::move(sa));
  }
  Result<void> add_outbound(const TunnelName& t, SaConfig sa) override {
    return dp_.add_outbound(t, std::move(sa));
  }
  Result<void> switch_outbound(const TunnelName& t, esp::Spi spi) override {
    return dp_.switch_outbound(t, spi);
  }
  Result<void> remove(const TunnelName& t, SaDirection dir, esp::Spi spi) override {
    return dp_.remove(t, dir, spi);
  }
  Result<SaCounters> counters(SaDirection dir, esp::Spi spi) const override {
    return dp_.counters(dir, spi);
  }
  void on_lifetime(LifetimeHandler handler) override { dp_.on_lifetime(std::move(handler)); }

  /// IKE datagrams received on 500/4500 are passed here from poll_control().
  void on_ike(std::function<void(const IkeDatagram&)> handler) {
    ike_handler_ = std::move(handler);
  }
  /// Sends IKE from our socket at `local` (4500 adds the non-ESP marker).
  Result<void> send_ike(const Endpoint& local, const Endpoint& remote, ByteSpan message) {
    return dp_.send_ike(local, remote, message);
  }
  Result<void> send_nat_keepalive(const Endpoint& local, const Endpoint& remote) {
    return dp_.send_nat_keepalive(local, remote);
  }
  /// Readable when IKE datagrams or lifetime events wait; then call poll_control().
  int control_fd() const { return control_fd_; }
  void poll_control();

  std::size_t workers() const { return options_.workers; }
  /// Per-tunnel counters ("dp.tx.packets", ...); empty for an unknown tunnel.
  std::map<std::string, std::uint64_t> tunnel_counters(const TunnelName& name) const;
  std::map<std::string, std::uint64_t> global_counters() const;
  const std::vector<TunnelConfig>& tunnels() const { return configs_; }
  /// The raw ESP path that runs: "af_packet", "raw socket", or "none" (no raw ESP tunnel).
  std::string esp_transport() const;
  /// Why the af_packet path did not start when it was asked for (empty otherwise).
  const std::string& esp_transport_fallback() const { return esp_fallback_; }

 private:
  Engine(std::vector<TunnelConfig> tunnels, EngineOptions options);
  Checked<void> open_devices();
  Checked<void> open_sockets();
  Checked<void> configure_links();
  Checked<void> add_socket(LinuxDatagramSocket::Kind kind, Endpoint local, SocketRole role,
                           std::size_t lane, LinuxDatagramSocket::Sharing sharing);
  Checked<void> open_raw_esp(const std::set<std::uint32_t>& raw_locals);
  Checked<void> open_packet_esp(const std::set<std::uint32_t>& raw_locals);
  void run_worker(std::size_t lane);
  template <typename F>
  bool spin(std::chrono::steady_clock::time_point& idle_since, F&& run_once);

  std::vector<TunnelConfig> configs_;
  EngineOptions options_;
  Dataplane dp_;
  std::vector<std::vector<int>> lane_fds_;       // per lane: TUN queues and sockets it reads
  std::vector<std::unique_ptr<LinuxTun>> tuns_;  // every queue of every tunnel
  std::vector<std::unique_ptr<LinuxDatagramSocket>> sockets_;
  std::vector<std::unique_ptr<PacketEspSocket>> packet_sockets_;  // af_packet path
  std::unique_ptr<EspIngressDrop> ingress_drop_;                  // af_packet path
  std::string esp_fallback_;
  std::vector<std::unique_ptr<OutboundWorker>> out_workers_;  // per lane
  std::vector<std::unique_ptr<InboundWorker>> in_workers_;    // per lane
  std::vector<std::thread> threads_;
  std::atomic<bool> running_{false};
  int stop_fd_ = -1;     // eventfd: wakes workers blocked in poll() for stop()
  int control_fd_ = -1;  // eventfd: IKE / lifetime events for the control thread
  std::function<void(const IkeDatagram&)> ike_handler_;
};

}  // namespace vpnlab::dataplane
