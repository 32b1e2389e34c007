#pragma once
// The inner MTU of a tunnel device by cipher suite and encapsulation, as AWS documents it,
// and the TCP MSS that goes with it (MTU - 40: IPv4 + TCP headers without options).

#include <cstdint>

#include "esp/types.hpp"

namespace vpnlab::dataplane {

/// cloud-facts: "MTU/MSS by cipher (MTU / MSS v4 / MSS IPv6-in-IPv4)" [A-BP]
std::uint16_t tunnel_mtu(const esp::SuiteId& suite, bool udp_encap);
inline std::uint16_t tunnel_mss(std::uint16_t mtu) {
  return static_cast<std::uint16_t>(mtu - 40);
}

}  // namespace vpnlab::dataplane
