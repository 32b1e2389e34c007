#pragma once
// One ESP Security Association in one direction: OutboundSa encapsulates (RFC 4303 3.3),
// InboundSa decapsulates (RFC 4303 3.4), both IN PLACE on a caller-owned buffer.
//
// Buffer contract (both directions): the caller owns `buf` and keeps it alive during the
// call; results are offsets into that same buffer, valid as long as it is. Nothing is
// allocated, locked or logged per packet. On a drop the bytes of the packet region are
// unspecified (they may be half decrypted); the caller discards the buffer.
//
//   encap:  buf = [ .. headroom .. | inner packet (offset, length) | .. tailroom .. ]
//           -> [ SPI | Seq | IV | inner | pad | padlen | NH | ICV ]  (no TFC padding sent)
//              ^ returned esp.offset = offset - overhead.headroom
//   decap:  buf = [ .. | SPI .. ICV (offset, length) | .. ]
//           -> inner packet (inner.offset, inner.length) inside the same bytes; TFC padding
//              after the inner IP packet is cut using its own length field (RFC 4303 2.7).
//
// Threading: encap/decap on one SA must come from one thread at a time (the worker owning
// it: sequence numbers and the replay window are not atomic). counters()/stats() may be
// read from any thread at any time (relaxed atomics).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "esp/drop_reason.hpp"
#include "esp/iv_source.hpp"
#include "esp/overhead.hpp"
#include "esp/replay_window.hpp"
#include "esp/types.hpp"

namespace vpnlab::esp {

class Transform;  // the per-SA cipher state (transform.hpp, internal)

/// Next Header values (IANA protocol numbers) the tunnel-mode dataplane uses.
inline constexpr std::uint8_t kNextHeaderIpv4 = 4;  // RFC 4303 2.6, IP-in-IP
inline constexpr std::uint8_t kNextHeaderIpv6 = 41;
inline constexpr std::uint8_t kNextHeaderNone = 59;  // dummy packet (RFC 4303 2.6)

/// Tunnel: inbound accepts only Next Header 4/41 and trims TFC padding by the inner IP
/// length. Transport: the payload is handed back as is with any Next Header but 59 (used by
/// the published vectors, which carry Next Header 1; no transport-mode SA is built by IKE).
enum class Mode : std::uint8_t { tunnel, transport };

/// Byte and packet lifetimes (RFC 4301 4.4.2.1); 0 = unlimited. Counted in inner bytes.
struct Lifetime {
  std::uint64_t soft_bytes = 0, hard_bytes = 0;
  std::uint64_t soft_packets = 0, hard_packets = 0;
};

struct SaParams {
  Spi spi;
  SuiteId suite;
  SaKeys keys;       // sizes must equal encr_keymat_size(suite) / integ_keymat_size
  bool esn = false;  // Extended Sequence Numbers (RFC 4303 2.2.1)
  Mode mode = Mode::tunnel;
  std::uint32_t replay_window = 1024;  // inbound only; 0 disables (RFC 4303 3.4.3)
  Lifetime lifetime;
};

/// Reported with the packet that crossed a limit (once per limit per SA).
enum class LifetimeEvent : std::uint8_t { none, soft_expired, hard_expired };

/// A region of the caller's buffer.
struct PacketRegion {
  std::size_t offset = 0;
  std::size_t length = 0;
};

struct EncapOk {
  PacketRegion esp;    // SPI .. ICV, ready for the outer IP/UDP header in front
  SequenceNumber seq;  // the number this packet carries
  LifetimeEvent event = LifetimeEvent::none;
};

struct DecapOk {
  PacketRegion inner;  // the inner IP packet (tunnel) or payload (transport)
  std::uint8_t next_header = 0;
  SequenceNumber seq;
  LifetimeEvent event = LifetimeEvent::none;
};

using EncapResult = Result<EncapOk, DropReason>;
using DecapResult = Result<DecapOk, DropReason>;

/// A counter with one writer (the thread owning the SA) and any number of readers: a
/// relaxed load + store instead of the locked read-modify-write a shared vpnlab::Counter
/// costs on every packet. Readers see a recent value, never a torn one.
class OwnedCounter {
 public:
  void add(std::uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

/// Live counters of one SA; written by the SA's owner thread, readable from any thread.
struct SaCounters {
  OwnedCounter packets, bytes;                          // processed packets, inner bytes
  OwnedCounter auth_failures, replay_drops, malformed;  // malformed: see sa.cpp
  std::array<OwnedCounter, kDropReasonCount> drops;     // one per DropReason
};

/// A copy of SaCounters (dataplane::SaCounters has the same first five fields).
struct SaStats {
  std::uint64_t packets = 0, bytes = 0;
  std::uint64_t auth_failures = 0, replay_drops = 0, malformed = 0;
  std::array<std::uint64_t, kDropReasonCount> drops{};
  std::uint64_t drop(DropReason r) const { return drops[static_cast<std::size_t>(r)]; }
};

/// What both directions share: parameters, cipher state, counters, lifetimes.
class SaBase {
 public:
  virtual ~SaBase();
  SaBase(const SaBase&) = delete;
  SaBase& operator=(const SaBase&) = delete;

  Spi spi() const { return spi_; }
  const SuiteId& suite() const { return suite_; }
  bool esn() const { return esn_; }
  Mode mode() const { return mode_; }
  const Overhead& overhead() const { return overhead_; }
  const SaCounters& counters() const { return counters_; }
  SaStats stats() const;

 protected:
  SaBase(const SaParams& p, std::unique_ptr<Transform> t);
  DropReason drop(DropReason r);  // bumps the counters, returns r
  bool expired() const { return hard_reported_; }
  LifetimeEvent account(std::size_t inner_bytes);  // counts a processed packet

  Spi spi_;
  SuiteId suite_;
  bool esn_;
  Mode mode_;
  Lifetime lifetime_;
  Overhead overhead_;
  std::unique_ptr<Transform> transform_;
  SaCounters counters_;
  bool soft_reported_ = false, hard_reported_ = false;
};

class OutboundSa : public SaBase {
 public:
  /// Builds the cipher contexts once (keys copied into them; `params.keys` may be wiped
  /// afterwards). `iv` replaces the default IV source (iv_source.hpp), for tests.
  /// Errors: errc::unsupported_suite, bad_key_length, reserved_spi, crypto_init_failed.
  static Result<std::unique_ptr<OutboundSa>> create(const SaParams& params,
                                                    std::unique_ptr<IvSource> iv = nullptr);

  /// Encapsulates the inner packet buf[offset, offset+length) in place.
  /// Needs offset >= overhead().headroom and buf.size() >= offset + length +
  /// tailroom_for(overhead(), length) and length <= kMaxPacketSize, else drop no_room.
  /// Other drops: seq_exhausted, lifetime_expired,
  /// crypto_error. `next_header` is kNextHeaderIpv4 or kNextHeaderIpv6 in tunnel mode.
  EncapResult encap(MutableByteSpan buf, std::size_t offset, std::size_t length,
                    std::uint8_t next_header);

  /// The number the next packet will carry (starts at 1, RFC 4303 3.3.3).
  SequenceNumber next_seq() const { return SequenceNumber{next_seq_}; }
  void set_next_seq_for_test(SequenceNumber seq) { next_seq_ = seq.value; }

 private:
  OutboundSa(const SaParams& p, std::unique_ptr<Transform> t, std::unique_ptr<IvSource> iv);
  std::unique_ptr<IvSource> iv_;
  std::uint64_t next_seq_ = 1;
};

class InboundSa : public SaBase {
 public:
  /// As OutboundSa::create, plus errc::bad_replay_window.
  static Result<std::unique_ptr<InboundSa>> create(const SaParams& params);

  /// Decapsulates the ESP payload buf[offset, offset+length) (SPI .. ICV) in place:
  /// length check, replay check, ICV verify + decrypt, replay update, trailer checks,
  /// inner packet checks (RFC 4303 3.4). Drops: too_short (also: region outside buf),
  /// bad_length (also: length > kMaxPacketSize), spi_mismatch, replay,
  /// auth_failed, bad_padding, bad_next_header, bad_inner_packet,
  /// dummy_packet, lifetime_expired, crypto_error.
  DecapResult decap(MutableByteSpan buf, std::size_t offset, std::size_t length);

  const ReplayWindow& replay_window() const { return window_; }
  /// Marks `top` received, as if that packet had arrived (ESN vectors start mid-space).
  void advance_window_for_test(SequenceNumber top) { window_.update(top); }

 private:
  InboundSa(const SaParams& p, std::unique_ptr<Transform> t);
  Result<PacketRegion, DropReason> check_trailer(MutableByteSpan buf, std::size_t start,
                                                 std::size_t plain_len, std::uint8_t& nh);
  ReplayWindow window_;
};

}  // namespace vpnlab::esp
