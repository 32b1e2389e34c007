#pragma once
// How many bytes ESP adds in front of (headroom) and behind (tailroom) the inner packet,
// per suite, so the dataplane can reserve them when it reads from TUN.
//
//   headroom = SPI (4) + Sequence Number (4) + IV (8 for AEADs, 16 for AES-CBC)
//   tailroom = padding (0..block-1; AEADs pad to 4 bytes, RFC 4106 3.2 / RFC 7634 2)
//              + Pad Length (1) + Next Header (1) + ICV (16 AEADs; 12/16/24/32 HMACs)
// The outer IPv4 (20) and UDP (8, RFC 3948) headers are the dataplane's and not included.

#include <cstddef>

#include "esp/types.hpp"

namespace vpnlab::esp {

inline constexpr std::size_t kEspHeaderSize = 8;  // SPI + Sequence Number (RFC 4303 2)
/// Largest headroom any supported suite needs (AES-CBC: 8 + 16).
inline constexpr std::size_t kMaxHeadroom = 24;
/// Largest tailroom any supported suite needs (AES-CBC + HMAC-SHA2-512-256: 15 + 2 + 32).
inline constexpr std::size_t kMaxTailroom = 49;

/// Largest ESP payload or inner packet handled (IPv4/IPv6 packets and TSO super-packets
/// stay below 64 KiB; the bound keeps lengths within the int the cipher APIs take).
inline constexpr std::size_t kMaxPacketSize = 1u << 20;

struct Overhead {
  std::size_t headroom = 0;      // bytes written in front of the inner packet
  std::size_t max_tailroom = 0;  // most bytes written after it
  std::size_t iv_size = 0;
  std::size_t icv_size = 0;
  std::size_t block_size = 0;  // payload + trailer is padded to a multiple of this
};

/// The overhead of a suite; all zero for a suite this module does not implement.
Overhead overhead(const SuiteId& suite);

/// True for the suites this module implements (see esp.hpp "Supported standards").
bool suite_supported(const SuiteId& suite);

/// Padding bytes (RFC 4303 2.4) for an inner packet of this length.
std::size_t padding_for(const Overhead& o, std::size_t inner_length);

/// Exact tailroom for an inner packet of this length: padding + 2 + ICV.
std::size_t tailroom_for(const Overhead& o, std::size_t inner_length);

}  // namespace vpnlab::esp
