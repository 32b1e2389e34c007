#pragma once
// The narrow control -> data interface (the shape of strongSwan's kernel_ipsec.h): IKE
// reserves SPIs, installs inbound and outbound CHILD_SAs for a tunnel, switches the tunnel's
// outbound SA (make-before-break rekey: install the new inbound, then the new outbound,
// switch, then delete the old pair), deletes SAs and reads their counters.
//
// dataplane/linux implements it over the live workers; tests use a recording fake.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "base/ip.hpp"
#include "base/result.hpp"
#include "esp/drop_reason.hpp"
#include "esp/types.hpp"

namespace vpnlab::dataplane {

/// A route-based tunnel, named as in the plan ("aws-tunnel1-to-azure0"); its TUN device
/// carries the name too (truncated to IFNAMSIZ by the plan compiler).
using TunnelName = std::string;

/// The outer (underlay) addresses of an SA. udp_encap: ESP in UDP (RFC 3948) on the given
/// ports, else raw IP protocol 50.
struct OuterPath {
  Ipv4Address local;
  Ipv4Address remote;
  bool udp_encap = false;
  std::uint16_t local_port = 4500;
  std::uint16_t remote_port = 4500;
};

/// Soft and hard limits; 0 means unlimited. Time limits are enforced by IKE (it owns the
/// clocks); byte and packet limits by the dataplane, which reports crossing them.
struct SaLimits {
  std::uint64_t soft_bytes = 0, hard_bytes = 0;
  std::uint64_t soft_packets = 0, hard_packets = 0;
};

struct SaConfig {
  esp::Spi spi;
  esp::SuiteId suite;
  esp::SaKeys keys;
  bool esn = false;
  std::uint32_t replay_window = 1024;  // inbound only; 0 disables anti-replay
  OuterPath outer;
  SaLimits limits;
};

enum class SaDirection : std::uint8_t { inbound, outbound };

struct SaCounters {
  std::uint64_t packets = 0, bytes = 0;  // bytes of inner packets (cloud TunnelDataIn/Out)
  std::uint64_t auth_failures = 0, replay_drops = 0, malformed = 0;
  /// Every drop the SA decided, by esp::DropReason (status shows each reason).
  std::array<std::uint64_t, esp::kDropReasonCount> drops{};
};

enum class LifetimeEvent : std::uint8_t { soft_expired, hard_expired };

class SaInstaller {
 public:
  virtual ~SaInstaller() = default;
  /// A fresh inbound SPI, unique in this gateway, never 0..255 (RFC 4303 2.1).
  virtual Result<esp::Spi> reserve_spi() = 0;
  /// Starts accepting packets for this SA on the tunnel (before the peer may use it).
  virtual Result<void> add_inbound(const TunnelName& tunnel, SaConfig sa) = 0;
  /// Installs an outbound SA without using it yet.
  virtual Result<void> add_outbound(const TunnelName& tunnel, SaConfig sa) = 0;
  /// From the next packet on, the tunnel encrypts with this (already added) outbound SA.
  virtual Result<void> switch_outbound(const TunnelName& tunnel, esp::Spi spi) = 0;
  /// Removes an SA; packets for it are dropped from now on.
  virtual Result<void> remove(const TunnelName& tunnel, SaDirection dir, esp::Spi spi) = 0;
  virtual Result<SaCounters> counters(SaDirection dir, esp::Spi spi) const = 0;
  /// Called (on the control thread) when an SA crosses a byte/packet limit.
  using LifetimeHandler = std::function<void(SaDirection, esp::Spi, LifetimeEvent)>;
  virtual void on_lifetime(LifetimeHandler handler) = 0;
};

}  // namespace vpnlab::dataplane
