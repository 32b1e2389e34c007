#pragma once
// The socket boundary for IPv4 endpoints: Ipv4Address (host order) and a port into and out of
// a sockaddr_in (network order). One place, so no caller forgets a byte swap.

#include <netinet/in.h>

#include <cstdint>

#include "base/ip.hpp"

namespace vpnlab::dataplane {

inline sockaddr_in socket_address(Ipv4Address a, std::uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  s.sin_addr.s_addr = htonl(a.value);
  return s;
}

inline Ipv4Address address_of(const sockaddr_in& s) {
  return Ipv4Address{ntohl(s.sin_addr.s_addr)};
}

}  // namespace vpnlab::dataplane
