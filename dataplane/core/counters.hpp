#pragma once
// The dataplane's packet counters (STYLE.md "<module>.<direction>.<event>"): per tunnel and
// for the whole dataplane, relaxed atomics bumped by the workers and read by status at any
// time. Every dropped packet lands in exactly one drop counter: a dataplane reason (below) or
// the esp::DropReason the SA returned. Per-SA counters live in the esp SA objects.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "base/counters.hpp"
#include "esp/drop_reason.hpp"

namespace vpnlab::dataplane {

/// Drops decided by the dataplane itself (not by an SA).
enum class DpDrop : std::uint8_t {
  no_outbound_sa = 0,  // tx: the tunnel has no (switched-to) outbound SA
  not_ip,              // tx: the TUN handed us something that is not IPv4/IPv6
  send_failed,         // tx: the socket refused the datagram
  too_short,           // rx: fewer than 8 bytes (SPI + sequence number), RFC 4303 2
  unknown_spi,         // rx: no inbound SA for the SPI (RFC 4303 3.4.2)
  ike_queue_full,      // rx: IKE datagram found, control queue full
  tun_write_failed,    // rx: the TUN device refused the inner packet
  rate_limited,        // tx/rx: over an emulated cloud limit (rate_policer.hpp)
};
inline constexpr std::size_t kDpDropCount = 8;
const char* to_string(DpDrop d);

struct DirectionCounters {
  Counter packets, bytes;  // delivered: sent to the socket (tx) / written to TUN (rx)
  std::array<Counter, kDpDropCount> dp_drops;
  std::array<Counter, esp::kDropReasonCount> esp_drops;
  void drop(DpDrop d) { dp_drops[static_cast<std::size_t>(d)].add(); }
  void drop(esp::DropReason r) { esp_drops[static_cast<std::size_t>(r)].add(); }
  std::uint64_t dropped(DpDrop d) const { return dp_drops[static_cast<std::size_t>(d)].get(); }
  std::uint64_t dropped(esp::DropReason r) const {
    return esp_drops[static_cast<std::size_t>(r)].get();
  }
  std::uint64_t total_drops() const;
};

struct TunnelCounters {
  DirectionCounters tx, rx;
  Counter mss_clamped;  // SYNs whose MSS option was lowered
};

/// Counters not attributable to a tunnel (before the SPI lookup).
struct GlobalCounters {
  DirectionCounters rx;  // too_short, unknown_spi, ike_queue_full
  Counter ike_received;  // datagrams handed to the control plane
  Counter keepalives;    // NAT-keepalive (RFC 3948 2.3), consumed
};

/// "dp.tx.packets", "dp.rx.drop.unknown_spi", "esp.rx.drop.replay", ... with non-zero drops
/// only, for status and tests.
std::map<std::string, std::uint64_t> to_map(const TunnelCounters& c);
std::map<std::string, std::uint64_t> to_map(const GlobalCounters& c);

}  // namespace vpnlab::dataplane
