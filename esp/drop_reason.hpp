#pragma once
// Why a packet was not encapsulated or decapsulated: one closed enum, each value with its
// own counter (`esp.rx.drop.<name>` / `esp.tx.drop.<name>`). Every failure on the packet
// path is one of these; none throws, asserts or logs.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vpnlab::esp {

enum class DropReason : std::uint8_t {
  // Inbound (decap).
  too_short = 0,     // fewer bytes than SPI + Seq + IV + ICV + one cipher block/trailer
  unknown_spi,       // SaDatabase has no SA for the SPI (RFC 4303 3.4.2)
  spi_mismatch,      // an InboundSa was handed a packet carrying another SPI
  replay,            // duplicate or left of the window (RFC 4303 3.4.3)
  auth_failed,       // ICV / AEAD tag does not verify (RFC 4303 3.4.4)
  bad_length,        // ciphertext not a multiple of the cipher block / 4 bytes (RFC 4303 2.4)
  bad_padding,       // Pad Length too large or pad bytes not 1,2,3,... (RFC 4303 2.4)
  bad_next_header,   // tunnel SA: Next Header neither 4 (IPv4) nor 41 (IPv6)
  bad_inner_packet,  // inner IP version/length disagree with Next Header or the payload
  dummy_packet,      // Next Header 59: a TFC dummy packet, discarded (RFC 4303 2.6)
  // Outbound (encap).
  no_room,        // buffer lacks the headroom or tailroom the suite needs (overhead.hpp)
  seq_exhausted,  // the sequence number would cycle (RFC 4303 3.3.3): rekey needed
  // Both directions.
  lifetime_expired,  // the SA passed its hard byte/packet lifetime (RFC 4301 4.4.2.1)
  crypto_error,      // OpenSSL/libsodium failed on valid input (not expected; counted)
};

inline constexpr std::size_t kDropReasonCount = 14;

/// "too_short", "unknown_spi", ... (the counter suffix).
std::string_view to_string(DropReason reason);

}  // namespace vpnlab::esp
