#pragma once
// vpnlab::dataplane - the ESP dataplane of one gateway (DESIGN.md "Packet path").
//
// Parts
//   dataplane/core (no sockets, no threads of its own)
//     packet_buf.hpp, packet_pool.hpp, packet_batch.hpp  pooled buffers with headroom, batches
//     devices.hpp       abstract TunDevice / DatagramSocket (batch-first); fake_devices.hpp
//     snapshot.hpp      RCU-like SnapshotCell; sa_table.hpp the SA table workers read
//     dataplane.hpp     this file: tunnels, sockets, SaInstaller, control queue, counters
//     outbound.cpp      TUN -> SA by device -> encrypt in place -> send batch (stage map)
//     inbound.cpp       recv batch -> IKE marker split -> SPI -> decrypt -> TUN (stage map)
//     mss_clamp.hpp, tunnel_mtu.hpp  TCP MSS clamping, MTU per suite (cloud-facts §1.3)
//   dataplane/linux
//     tun_device.hpp    TUN per tunnel; tun_offload.cpp + virtio_net_hdr.hpp: TSO reads
//                       split in userspace, TCP segments coalesced on writes
//     datagram_socket.hpp  UDP 4500/500 and raw ESP with recvmmsg/sendmmsg; udp_gso.cpp:
//                       UDP_SEGMENT sends, UDP_GRO receives
//     engine.hpp        Engine: devices + worker threads + SaInstaller (what `gateway` uses)
//     manual_config.hpp, manual_main.cpp  manual-key tunnels, the vpnlab_dp_manual runner
//     netlink.hpp, netns.hpp  rtnetlink and named namespaces (lead's)
//
// Threads and ownership: the control thread (IKE) calls SaInstaller, which builds a new
// SaTable and publishes it; workers pin a snapshot per pass without locks. Workers are
// numbered lanes 0..Options::lanes-1 (one per core in the Linux Engine). Lane w reads queue
// w of every tunnel's TUN (IFF_MULTI_QUEUE: the kernel spreads flows over queues) and the
// sockets added for lane w (SO_REUSEPORT: the kernel spreads peers over them), and sends on
// its own sockets. Every SA has one cipher context per lane; an outbound SA hands each
// worker batch a block of sequence numbers with one atomic operation, an inbound SA locks
// its replay window twice per batch (esp/sa.hpp). Buffers come from per-worker pools and
// return on every path by RAII. IKE datagrams cross to the control thread through a bounded
// queue.
//
// Supported standards
//   RFC 4303 ESP tunnel mode (via vpnlab::esp), RFC 3948 ESP in UDP with the non-ESP marker
//   and NAT-keepalives, RFC 4301 §4.4.2.1 byte/packet lifetimes (reported to IKE), RFC 1624
//   incremental checksum update (MSS clamping), RFC 1071 checksums (TSO/GRO segments).
// Known deviations: no IPv6 outer path; no NAT-T keepalive sending (IKE's job); no
// IP fragmentation of our own (outer packets may be fragmented by the kernel, DF clear).

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dataplane/core/control_queue.hpp"
#include "dataplane/core/counters.hpp"
#include "dataplane/core/devices.hpp"
#include "dataplane/core/rate_policer.hpp"
#include "dataplane/core/sa_installer.hpp"
#include "dataplane/core/sa_table.hpp"
#include "dataplane/core/snapshot.hpp"
#include "esp/crypto_backend.hpp"

namespace vpnlab::dataplane {

/// What a socket carries: ESP in UDP + IKE behind the non-ESP marker (port 4500, RFC 3948),
/// raw ESP (IP protocol 50), or IKE only (port 500).
enum class SocketRole : std::uint8_t { esp_udp, esp_raw, ike };

struct Tunnel {
  TunnelName name;
  TunDevice* tun = nullptr;        // queue 0; not owned
  std::vector<TunDevice*> queues;  // one per lane (multi-queue TUN); [0] == tun
  std::uint16_t max_mss = 0;       // 0: no clamping
  TunnelCounters counters;
  // The clouds' per-tunnel limits when emulated (rate_policer.hpp), per direction: tx before
  // encryption, rx after decryption, both on inner bytes (what CloudWatch's TunnelDataOut /
  // TunnelDataIn count, cloud-facts 1.4).
  RatePolicer tx_limit, rx_limit;
  /// The queue lane `lane` reads and writes (queues are shared round-robin when fewer).
  TunDevice& queue(std::size_t lane) const { return *queues[lane % queues.size()]; }
};

struct SocketPort {
  DatagramSocket* socket = nullptr;  // not owned
  Endpoint local;
  SocketRole role = SocketRole::esp_udp;
  std::size_t lane = 0;  // the worker that reads it and sends on it
  bool receive = true;   // false: send only (e.g. a second raw ESP socket would see copies)
};

/// The tunnels and sockets of one gateway, the SA table snapshot the workers read, and the
/// SaInstaller the control plane drives. Owns no devices and no threads: the caller (the
/// Linux Engine, or a test with fake devices) attaches devices, then runs OutboundWorker /
/// InboundWorker loops over it. add_tunnel/add_socket before any worker runs; SaInstaller
/// calls, send_ike and poll_control from the control thread (serialized on one mutex).
class Dataplane final : public SaInstaller {
 public:
  struct Options {
    std::size_t control_queue_capacity = 256;
    std::size_t max_workers = 64;
    /// Worker lanes (threads) that run at once; every SA gets this many cipher contexts.
    std::size_t lanes = 1;
    /// The library every SA's cipher work goes to (esp/crypto_backend.hpp).
    esp::CryptoBackend crypto = esp::CryptoBackend::automatic;
    /// Random 32-bit values for reserve_spi (tests inject a sequence).
    std::function<std::uint32_t()> random;
  };
  explicit Dataplane(Options options);
  Dataplane() : Dataplane(Options{}) {}
  ~Dataplane() override;

  // --- setup (before workers run) ---
  TunnelId add_tunnel(TunnelName name, TunDevice& tun, std::uint16_t max_mss);
  /// Another queue of the tunnel's device, for the next lane.
  void add_tunnel_queue(TunnelId t, TunDevice& queue);
  /// A socket read by (and sent on by) worker `lane`. Lanes without a socket of their own
  /// for an SA's outer path send on lane 0's, which must then be thread-safe.
  void add_socket(DatagramSocket& socket, Endpoint local, SocketRole role, std::size_t lane = 0,
                  bool receive = true);
  std::size_t lanes() const { return options_.lanes; }
  std::optional<TunnelId> find_tunnel(const TunnelName& name) const;
  std::size_t tunnel_count() const { return tunnels_.size(); }
  Tunnel& tunnel(TunnelId t) { return tunnels_[t.value]; }
  const Tunnel& tunnel(TunnelId t) const { return tunnels_[t.value]; }
  std::vector<SocketPort>& sockets() { return sockets_; }

  // --- SaInstaller (control thread) ---
  Result<esp::Spi> reserve_spi() override;
  Result<void> add_inbound(const TunnelName& tunnel, SaConfig sa) override;
  Result<void> add_outbound(const TunnelName& tunnel, SaConfig sa) override;
  Result<void> switch_outbound(const TunnelName& tunnel, esp::Spi spi) override;
  Result<void> remove(const TunnelName& tunnel, SaDirection dir, esp::Spi spi) override;
  Result<SaCounters> counters(SaDirection dir, esp::Spi spi) const override;
  void on_lifetime(LifetimeHandler handler) override;

  // --- control plane I/O ---
  /// IKE datagrams the workers found; set its wakeup before workers start.
  ControlQueue& ike_queue() { return ike_queue_; }
  /// Sends an IKE message from the socket bound to `local` (port 4500 adds the non-ESP
  /// marker, RFC 3948 2.2). Errors: errc::no_socket, or the socket's error.
  Result<void> send_ike(const Endpoint& local, const Endpoint& remote, ByteSpan message);
  /// Sends one NAT-keepalive (RFC 3948 2.3: the single octet 0xFF, no non-ESP marker) from
  /// the ESP-in-UDP socket bound to `local`; IKE decides when (only the side behind a NAT).
  /// Errors: errc::no_socket when no ESP-in-UDP socket is bound there.
  Result<void> send_nat_keepalive(const Endpoint& local, const Endpoint& remote);
  /// Delivers queued lifetime events to the handler and frees retired SA tables.
  void poll_control();
  /// Called by a worker when an SA reported crossing a lifetime (rare; takes a lock).
  void report_lifetime(SaDirection dir, esp::Spi spi, esp::LifetimeEvent ev);
  void set_wakeup(std::function<void()> wake);

  /// The gateway's aggregate limit over all tunnels (an Azure SKU's), per direction.
  RatePolicer& aggregate_tx_limit() { return aggregate_tx_; }
  RatePolicer& aggregate_rx_limit() { return aggregate_rx_; }
  GlobalCounters& global_counters() { return global_; }
  const GlobalCounters& global_counters() const { return global_; }
  SnapshotCell<SaTable>& table() { return table_; }

 private:
  Result<std::shared_ptr<OutboundEntry>> make_outbound(TunnelId t, SaConfig& sa) const;
  std::unique_ptr<SaTable> copy_table() const;
  DatagramSocket* socket_for(const OuterPath& outer, std::size_t lane) const;

  Options options_;
  std::deque<Tunnel> tunnels_;  // stable addresses; indexed by TunnelId
  RatePolicer aggregate_tx_, aggregate_rx_;
  std::vector<SocketPort> sockets_;
  GlobalCounters global_;
  SnapshotCell<SaTable> table_;
  ControlQueue ike_queue_;

  mutable std::mutex control_mu_;  // serializes SaInstaller calls
  std::set<std::uint32_t> reserved_spis_;
  LifetimeHandler lifetime_handler_;
  std::mutex events_mu_;
  struct PendingEvent {
    SaDirection dir;
    esp::Spi spi;
    LifetimeEvent event;
  };
  std::vector<PendingEvent> events_;
  std::function<void()> wake_;
};

}  // namespace vpnlab::dataplane
