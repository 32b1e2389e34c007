#pragma once
// What an outer IPv4 packet is to IPsec, read from its headers only: ESP (IP protocol 50,
// RFC 4303 2.1; or in UDP 4500 with a non-zero first word, RFC 3948 2.2), IKE (UDP 500, or
// UDP 4500 after the 4-octet non-ESP marker, RFC 3948 2.2 / RFC 7296 3.1), a NAT keepalive
// (one 0xFF octet on 4500, RFC 3948 2.3) or something else. `vpnlab capture` uses it to keep
// a gateway's IPsec traffic (optionally of one tunnel's outside address pair) and to note
// which SAs the capture saw, so the key files list only those.

#include <cstdint>

#include "base/bytes.hpp"
#include "base/ip.hpp"

namespace vpnlab::dataplane {

enum class IpsecKind : std::uint8_t { other, esp, ike, nat_keepalive };

struct IpsecPacket {
  IpsecKind kind = IpsecKind::other;
  Ipv4Address src, dst;
  std::uint32_t esp_spi = 0;                   // kind esp
  std::uint64_t ike_spi_i = 0, ike_spi_r = 0;  // kind ike (the IKE header's SPIs)
  std::uint8_t ike_exchange = 0;               // kind ike: 34 IKE_SA_INIT, 35 IKE_AUTH, ...
};

/// Never fails: a packet too short for what it claims to be is `other`.
IpsecPacket classify_ipsec(ByteSpan ipv4_packet);

/// Which captured packets to keep: all of them, or IPsec only (ESP, IKE, NAT keepalives),
/// optionally only between two addresses (either direction: one tunnel's outside pair).
struct CaptureFilter {
  bool ipsec_only = false;
  bool pair_only = false;
  Ipv4Address a, b;
};

bool capture_filter_matches(const CaptureFilter& filter, ByteSpan ipv4_packet);

}  // namespace vpnlab::dataplane
