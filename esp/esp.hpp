#pragma once
// vpnlab::esp - ESP packet processing, pure: no sockets, threads, clocks or Asio.
//
// Parts
//   types.hpp          SPI, sequence numbers, IKEv2 transform IDs, SA keys, keymat sizes
//   overhead.hpp       headroom/tailroom per suite (kMaxHeadroom, kMaxTailroom)
//   sa.hpp             OutboundSa::encap / InboundSa::decap, in place, counters, lifetimes
//   sa_database.hpp    inbound SAs by SPI; decap() of a raw ESP payload
//   replay_window.hpp  anti-replay bitmap with ESN inference (check before, update after)
//   drop_reason.hpp    the closed set of reasons a packet is dropped
//   iv_source.hpp      per-SA IV generation (sequence number for AEADs, PRF for CBC)
//   integrity.hpp      HMAC-SHA1-96 / HMAC-SHA2 truncated ICVs (RFC 2104)
//   aes_cbc.hpp        AES-CBC without padding (EVP)
//   transform.hpp      internal: per-SA cipher contexts behind seal/open (+ batches)
//   crypto_backend.hpp which library does the cipher work: OpenSSL, or intel-ipsec-mb
//                      (AES-GCM per packet, AES-CBC + HMAC interleaved across a batch);
//                      the same bytes on the wire, checked against each other in tests
//   imb.hpp            internal: the process-wide and per-thread intel-ipsec-mb managers
//   errors.hpp         errc for SA setup ("vpnlab.esp")
//
// Data flow (tunnel mode, one worker thread owns each SA):
//   outbound: inner IP packet at buf[off, off+len) with kMaxHeadroom before and kMaxTailroom
//     after -> OutboundSa::encap (or encap_batch for many) writes SPI|Seq|IV in front,
//     pad|padlen|NH|ICV behind, encrypts in place -> the dataplane prepends outer IPv4 (+UDP 4500)
//     and sends.
//   inbound: the dataplane strips outer IPv4/UDP -> SaDatabase::decap (SPI lookup) ->
//     InboundSa::decap: replay check -> ICV verify + decrypt -> replay update -> trailer
//     and inner IP checks -> inner packet region in the same buffer -> TUN write.
//
// Ownership: the caller owns packet buffers; SAs own their cipher contexts (created once,
// reused for every packet; nothing is allocated or locked per packet). The control plane
// owns SaDatabase instances and swaps them; counters are relaxed atomics readable anytime.
//
// Supported standards
//   RFC 4303  ESP (tunnel mode; IPv4 inner, IPv6 inner by Next Header 41; ESN appendix A;
//             padding 2.4; TFC padding ignored on receive 2.7; dummy packets dropped 2.6)
//   RFC 4106  AES-GCM-16 in ESP (128/256-bit keys, 4-byte salt, 8-byte explicit IV)
//   RFC 7634  ChaCha20-Poly1305 in ESP (libsodium)
//   RFC 3602  AES-CBC in ESP (128/256-bit keys, random IV)
//   RFC 2404  HMAC-SHA1-96;  RFC 4868  HMAC-SHA2-256-128, -384-192, -512-256
//   RFC 6479  ring-bitmap anti-replay window (any size up to kMaxReplayWindow)
//
// Known deviations and gaps:
//  - AES-192, AES-CTR, AES-CCM, GMAC (ENCR_NULL_AUTH_AES_GMAC), NULL encryption and
//    RFC 8750 implicit IVs are not implemented; SA creation rejects them.
//  - Mode::transport exists only to hand payloads back unparsed (published vectors carry
//    Next Header 1); IKE builds tunnel-mode SAs only.
//  - Outbound never adds TFC padding or dummy packets (inbound accepts and drops them).
//  - ESN: after an ICV failure the receiver does not retry with the next high half
//    (RFC 4303 A2.3 "optional resynchronization"); a loss of 2^32 - window packets in a
//    row therefore ends the SA, which IKE rekeys long before.
//  - On the OpenSSL backend HMAC runs on OpenSSL's SHA block functions, not EVP
//    (integrity.cpp: OpenSSL 3.0's EVP allocates on every digest init).
//  - The ipsec-mb backend decrypts while it computes the ICV and drops the packet when
//    the ICV differs (same result as verifying first, RFC 4303 3.4.4.1's implementation
//    note); the OpenSSL CBC path verifies first.

#include "esp/drop_reason.hpp"
#include "esp/errors.hpp"
#include "esp/overhead.hpp"
#include "esp/replay_window.hpp"
#include "esp/sa.hpp"
#include "esp/sa_database.hpp"
#include "esp/types.hpp"
