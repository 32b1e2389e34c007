#pragma once
// The outer IPv4 header of a raw ESP packet (IP protocol 50, RFC 4303 §2) as the AF_PACKET
// ESP transport (packet_socket.hpp) writes and reads it: the kernel's raw socket builds and
// strips this header for the socket path; with AF_PACKET we do it ourselves. Pure functions
// over spans, no sockets (unit-tested in tests/unit/dataplane/esp_frame_test.cpp).
//
//    0                   1                   2                   3     RFC 791 §3.1
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version|  IHL  |Type of Service|          Total Length         |
//   |         Identification        |Flags|      Fragment Offset    |
//   |  Time to Live |  Protocol=50  |         Header Checksum       |
//   |                       Source Address                          |
//   |                    Destination Address                        |
//
// Written headers carry no options (IHL 5), DF clear (cloud-facts "Best practice" [A-BP]:
// outer packets may be fragmented rather than dropped, as the socket path's
// IP_PMTUDISC_DONT), TTL 64.

#include <cstdint>
#include <optional>
#include <span>

#include "base/ip.hpp"

namespace vpnlab::dataplane {

inline constexpr std::uint8_t kIpProtoEsp = 50;
inline constexpr std::uint32_t kIpv4HeaderLen = 20;

/// Writes a 20-byte IPv4 header for an ESP payload of `payload_len` bytes into `out`
/// (which must hold 20 bytes), checksum included.
void write_esp_ipv4_header(std::span<std::uint8_t, kIpv4HeaderLen> out, Ipv4Address src,
                           Ipv4Address dst, std::uint16_t payload_len, std::uint16_t id);

/// What a received frame (starting at its IPv4 header) holds, if it is a whole ESP packet.
struct EspFrame {
  Ipv4Address src, dst;
  std::uint32_t header_len = 0;   // where the ESP packet starts
  std::uint32_t payload_len = 0;  // ESP bytes (total length - header length)
};

/// Why a frame is not taken (the caller counts it; the kernel's filter normally keeps such
/// frames away, so these are defensive).
enum class EspFrameError : std::uint8_t {
  short_frame,
  not_ipv4,
  bad_header_length,
  bad_checksum,
  not_esp,
  fragment,
  bad_total_length
};

/// Parses the IPv4 header in front of an ESP packet. The frame may carry link padding
/// after the IP packet (Ethernet minimum frame size): the total length decides.
struct EspFrameResult {
  std::optional<EspFrame> frame;
  EspFrameError error = EspFrameError::short_frame;
};
EspFrameResult parse_esp_frame(std::span<const std::uint8_t> frame);

/// The RFC 1071 checksum of an IPv4 header as it is stored (in memory order); 0 over a
/// header whose stored checksum is right.
std::uint16_t ipv4_header_checksum(std::span<const std::uint8_t> header);

}  // namespace vpnlab::dataplane
