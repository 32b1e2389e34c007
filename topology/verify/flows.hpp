#pragma once
// Many UDP flows (one source port each) from one namespace to an echo socket in another,
// each echoed back: with ECMP hashing on the 5-tuple the flows spread over every path the
// routes allow, so each path's tunnel counters move (what `vpnlab verify` checks per path).
#include <chrono>
#include <string>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::topology::verify {

struct FlowEnd {
  std::string netns;
  Ipv4Address address;
};

struct FlowResult {
  int flows = 0;
  int datagrams_per_flow = 0;
  int flows_arrived = 0;  // at least one datagram reached the far end
  int flows_echoed = 0;   // at least one echo came back
};

/// Opens `flows` sockets in `from`, one echo socket on `to`:port, sends, echoes, collects
/// until `wait` passes or every flow came back.
Checked<FlowResult> run_flows(const FlowEnd& from, const FlowEnd& to, std::uint16_t port, int flows,
                              int datagrams_per_flow, std::chrono::milliseconds wait);

}  // namespace vpnlab::topology::verify
