#pragma once
// TCP MSS clamping for packets crossing a tunnel (what `iptables -j TCPMSS` / the clouds'
// "tcp_mss_adjustment" do): a SYN's MSS option larger than the tunnel allows is lowered, and
// the TCP checksum fixed up incrementally (RFC 1624 eqn. 3), so 1500-byte hosts never send
// segments that would exceed the tunnel MTU.
//
// cloud-facts: "MTU/MSS by cipher (MTU / MSS v4 / MSS IPv6-in-IPv4)" [A-BP]: MSS = MTU - 40.

#include <cstdint>
#include <span>

namespace vpnlab::dataplane {

/// Lowers the MSS option of an IPv4 TCP SYN to max_mss. Returns true if the packet changed.
/// Anything else (not IPv4/TCP, not a SYN, a fragment, no MSS option, malformed options) is
/// left alone: clamping is best effort and never drops.
bool clamp_tcp_mss(std::span<std::uint8_t> ipv4_packet, std::uint16_t max_mss);

/// RFC 1624 eqn. 3: the checksum after a 16-bit word changed from old_word to new_word.
std::uint16_t checksum_adjust(std::uint16_t checksum, std::uint16_t old_word,
                              std::uint16_t new_word);

}  // namespace vpnlab::dataplane
