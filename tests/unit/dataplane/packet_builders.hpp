#pragma once
// Inner IPv4 packets for dataplane tests, built field by field with valid checksums.

#include <cstdint>
#include <vector>

#include "base/bytes.hpp"
#include "base/ip.hpp"

namespace vpnlab::dataplane::testing {

/// One's complement sum over bytes (RFC 1071), folded, not inverted.
inline std::uint32_t sum16(ByteSpan b, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += load_be16(&b[i]);
  if (b.size() % 2) sum += std::uint32_t{b.back()} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

inline void fix_ipv4_checksum(Bytes& p) {
  store_be16(&p[10], 0);
  std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  store_be16(&p[10], static_cast<std::uint16_t>(~sum16(ByteSpan(p).first(ihl))));
}

/// The TCP or UDP checksum over the pseudo-header (RFC 9293 §3.1, RFC 768).
inline std::uint16_t l4_checksum(const Bytes& p) {
  std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  std::size_t l4len = load_be16(&p[2]) - ihl;
  std::uint32_t s = sum16(ByteSpan(p).subspan(12, 8));
  s += p[9];
  s += static_cast<std::uint32_t>(l4len);
  s = sum16(ByteSpan(p).subspan(ihl, l4len), s);
  return static_cast<std::uint16_t>(~s);
}

inline Bytes ipv4_header(Ipv4Address src, Ipv4Address dst, std::uint8_t proto,
                         std::size_t payload_len, std::uint16_t id = 1) {
  Bytes p;
  ByteWriter w(p);
  w.u8(0x45);                                           // version 4, IHL 5
  w.u8(0);                                              // DSCP/ECN
  w.u16(static_cast<std::uint16_t>(20 + payload_len));  // total length
  w.u16(id);                                            // identification
  w.u16(0x4000);                                        // DF, fragment offset 0
  w.u8(64);                                             // TTL
  w.u8(proto);                                          // protocol
  w.u16(0);                                             // header checksum (below)
  w.u32(src.value);
  w.u32(dst.value);
  return p;
}

/// A TCP segment; `options` raw bytes (length multiple of 4), `payload_len` zero bytes.
inline Bytes tcp4_packet(Ipv4Address src, Ipv4Address dst, std::uint8_t flags,
                         const Bytes& options = {}, std::size_t payload_len = 0) {
  std::size_t tcp_len = 20 + options.size() + payload_len;
  Bytes p = ipv4_header(src, dst, 6, tcp_len);
  ByteWriter w(p);
  w.u16(40000);                                                     // source port
  w.u16(5201);                                                      // destination port
  w.u32(1000);                                                      // sequence number
  w.u32(0);                                                         // acknowledgment number
  w.u8(static_cast<std::uint8_t>((20 + options.size()) / 4 << 4));  // data offset
  w.u8(flags);                                                      // flags
  w.u16(65535);                                                     // window
  w.u16(0);                                                         // checksum (below)
  w.u16(0);                                                         // urgent pointer
  w.bytes(options);
  w.zeros(payload_len);
  fix_ipv4_checksum(p);
  store_be16(&p[20 + 16], l4_checksum(p));
  return p;
}

inline Bytes udp4_packet(Ipv4Address src, Ipv4Address dst, std::size_t payload_len,
                         std::uint8_t fill = 0xab) {
  Bytes p = ipv4_header(src, dst, 17, 8 + payload_len);
  ByteWriter w(p);
  w.u16(40000);                                        // source port
  w.u16(9);                                            // destination port
  w.u16(static_cast<std::uint16_t>(8 + payload_len));  // length
  w.u16(0);                                            // checksum (below)
  for (std::size_t i = 0; i < payload_len; ++i) w.u8(static_cast<std::uint8_t>(fill + i));
  fix_ipv4_checksum(p);
  store_be16(&p[20 + 6], l4_checksum(p));
  return p;
}

inline Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}

}  // namespace vpnlab::dataplane::testing
