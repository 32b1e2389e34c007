#pragma once
// The SA table the workers read: an immutable snapshot (SnapshotCell<SaTable>) that the
// control plane rebuilds and swaps on every SaInstaller call. Entries share the long-lived
// esp SA objects (shared_ptr), so sequence numbers, replay windows and counters survive a
// swap; an SA is destroyed when the last snapshot naming it is reclaimed, i.e. after every
// worker has moved on (no use-after-free on the hot path, no refcount traffic either:
// workers only follow raw pointers).
//
// Rekey is make-before-break (STYLE.md, strongSwan CHILD_OUTBOUND_REGISTERED/INSTALLED):
//   add_inbound(new) -> add_outbound(new) -> switch_outbound(new) -> remove(old in/out)
// Between the first and the last step both inbound SAs decrypt, so packets the peer sent
// with either SA are accepted.

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "dataplane/core/devices.hpp"
#include "dataplane/core/packet_buf.hpp"
#include "dataplane/core/sa_installer.hpp"
#include "esp/sa.hpp"

namespace vpnlab::dataplane {

struct OutboundEntry {
  std::shared_ptr<esp::OutboundSa> sa;
  TunnelId tunnel;
  DatagramSocket* socket = nullptr;           // where encapsulated packets go (not owned), lane 0
  std::vector<DatagramSocket*> lane_sockets;  // the same per lane (index = lane)
  Endpoint peer;                              // remote address and port (0 for raw ESP)
  OuterPath outer;
  DatagramSocket* socket_for(std::size_t lane) const {
    return lane < lane_sockets.size() ? lane_sockets[lane] : socket;
  }
};

struct InboundEntry {
  std::shared_ptr<esp::InboundSa> sa;
  TunnelId tunnel;
};

struct SaTable {
  /// Per tunnel (index = TunnelId): the outbound SA in use, or null.
  std::vector<std::shared_ptr<const OutboundEntry>> active_out;
  /// Every installed outbound SA by SPI (used or not yet/no longer).
  std::unordered_map<std::uint32_t, std::shared_ptr<const OutboundEntry>> outbound;
  /// Inbound SAs by SPI (RFC 4303 3.4.2: the SPI alone selects a unicast SA).
  std::unordered_map<std::uint32_t, InboundEntry> inbound;

  const OutboundEntry* active(TunnelId t) const {
    return t.value < active_out.size() ? active_out[t.value].get() : nullptr;
  }
  const InboundEntry* find_inbound(std::uint32_t spi) const {
    auto it = inbound.find(spi);
    return it == inbound.end() ? nullptr : &it->second;
  }
};

}  // namespace vpnlab::dataplane
