#pragma once
// Dataplane: the tunnels and sockets of one gateway, the SA table snapshot the workers read,
// and the SaInstaller the control plane drives. It owns no devices and no threads: the caller
// (dataplane/linux Engine, or a test with fake devices) attaches devices, then runs
// OutboundWorker / InboundWorker loops over it (outbound.hpp, inbound.hpp).
//
// Threads: add_tunnel/add_socket before any worker runs. SaInstaller calls, send_ike and
// poll_control come from the control thread (they serialize on one mutex among themselves).
// Workers read the SA table lock-free through their snapshot reader slot and bump relaxed
// counters.

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
#include "dataplane/core/sa_installer.hpp"
#include "dataplane/core/sa_table.hpp"
#include "dataplane/core/snapshot.hpp"

namespace vpnlab::dataplane {

/// What a socket carries: ESP in UDP + IKE behind the non-ESP marker (port 4500, RFC 3948),
/// raw ESP (IP protocol 50), or IKE only (port 500).
enum class SocketRole : std::uint8_t { esp_udp, esp_raw, ike };

struct Tunnel {
  TunnelName name;
  TunDevice* tun = nullptr;   // not owned
  std::uint16_t max_mss = 0;  // 0: no clamping
  TunnelCounters counters;
};

struct SocketPort {
  DatagramSocket* socket = nullptr;  // not owned
  Endpoint local;
  SocketRole role = SocketRole::esp_udp;
};

class Dataplane final : public SaInstaller {
 public:
  struct Options {
    std::size_t control_queue_capacity = 256;
    std::size_t max_workers = 64;
    /// Random 32-bit values for reserve_spi (tests inject a sequence).
    std::function<std::uint32_t()> random;
  };
  explicit Dataplane(Options options);
  Dataplane() : Dataplane(Options{}) {}
  ~Dataplane() override;

  // --- setup (before workers run) ---
  TunnelId add_tunnel(TunnelName name, TunDevice& tun, std::uint16_t max_mss);
  void add_socket(DatagramSocket& socket, Endpoint local, SocketRole role);
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
  /// Delivers queued lifetime events to the handler and frees retired SA tables.
  void poll_control();
  /// Called by a worker when an SA reported crossing a lifetime (rare; takes a lock).
  void report_lifetime(SaDirection dir, esp::Spi spi, esp::LifetimeEvent ev);
  void set_wakeup(std::function<void()> wake);

  GlobalCounters& global_counters() { return global_; }
  const GlobalCounters& global_counters() const { return global_; }
  SnapshotCell<SaTable>& table() { return table_; }

 private:
  Result<std::shared_ptr<OutboundEntry>> make_outbound(TunnelId t, SaConfig& sa) const;
  std::unique_ptr<SaTable> copy_table() const;
  DatagramSocket* socket_for(const OuterPath& outer) const;

  Options options_;
  std::deque<Tunnel> tunnels_;  // stable addresses; indexed by TunnelId
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
