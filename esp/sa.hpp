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
// Threading: an SA has `lanes` cipher contexts (SaParams::lanes, one per worker thread).
// encap()/decap() use lane 0 and must come from one thread at a time. Several workers may
// share one SA at once through the lane calls, each worker on its own lane:
//   outbound  reserve(n) takes a block of sequence numbers for a batch with one atomic
//             operation (numbers, and so GCM/ChaCha IVs, never repeat: RFC 4106 3.1), then
//             encap_at(lane, seq, ...) per packet;
//   inbound   decap_batch(lane, jobs) locks the replay window twice per batch (check before,
//             update after the ICV), never per packet; crypto runs outside the lock.
// stats() may be read from any thread at any time (relaxed atomics, one set per lane).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "esp/crypto_backend.hpp"
#include "esp/drop_reason.hpp"
#include "esp/iv_source.hpp"
#include "esp/overhead.hpp"
#include "esp/replay_window.hpp"
#include "esp/types.hpp"

namespace vpnlab::esp {

class Transform;   // the per-SA cipher state (transform.hpp, internal)
struct CryptoJob;  // one packet for a Transform (transform.hpp)

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
  /// Worker threads that may use the SA at the same time, each with its own cipher context
  /// and counters (clamped to 1..kMaxLanes).
  std::uint32_t lanes = 1;
  /// The library doing the cipher work (crypto_backend.hpp); the wire format is the same.
  CryptoBackend backend = CryptoBackend::automatic;
};

inline constexpr std::uint32_t kMaxLanes = 64;

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

/// Live counters of one SA lane; written by the lane's thread, readable from any thread.
struct alignas(64) SaCounters {
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
  std::size_t lanes() const { return transforms_.size(); }
  /// The sum over all lanes.
  SaStats stats() const;

 protected:
  using Transforms = std::vector<std::unique_ptr<Transform>>;
  /// Validates the SPI and builds lanes(p) cipher contexts.
  static Result<Transforms> build_transforms(const SaParams& p, bool encrypt);
  SaBase(const SaParams& p, Transforms t);
  DropReason drop(DropReason r, std::size_t lane = 0);  // bumps the counters, returns r
  bool expired() const { return hard_reported_.load(std::memory_order_relaxed); }
  /// Counts a processed packet; reports a lifetime crossing once per SA across all lanes.
  LifetimeEvent account(std::size_t inner_bytes, std::size_t lane = 0);
  Transform& transform(std::size_t lane) { return *transforms_[lane]; }

  Spi spi_;
  SuiteId suite_;
  bool esn_;
  Mode mode_;
  Lifetime lifetime_;
  Overhead overhead_;
  Transforms transforms_;                   // one per lane
  std::unique_ptr<SaCounters[]> counters_;  // one per lane
  std::atomic<bool> soft_reported_{false}, hard_reported_{false};
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

  /// Consecutive sequence numbers [first, first + count) reserved for one thread.
  struct SeqBlock {
    std::uint64_t first = 0;
    std::uint32_t count = 0;
  };
  /// Reserves up to n numbers with one atomic operation (any thread). Fewer, or none, once
  /// the 64-bit space is used up; numbers past 2^32-1 without ESN are reserved but
  /// encap_at drops them (seq_exhausted). A reserved number is never handed out again.
  SeqBlock reserve(std::uint32_t n);
  /// encap() with a number from reserve() and the cipher context of `lane` (< lanes()):
  /// one thread per lane at a time, lanes concurrently.
  EncapResult encap_at(std::size_t lane, SequenceNumber seq, MutableByteSpan buf,
                       std::size_t offset, std::size_t length, std::uint8_t next_header);

  /// One packet of encap_batch: the inner packet buf[offset, offset+length) in, the result
  /// out (the ESP region when ok, else the drop reason).
  struct Job {
    MutableByteSpan buf;
    std::size_t offset = 0, length = 0;
    std::uint8_t next_header = kNextHeaderIpv4;
    bool ok = false;
    EncapOk out;
    DropReason reason = DropReason::no_room;
  };
  /// encap_at() for a batch on `lane`: job i carries seqs.first + i; jobs past seqs.count
  /// are dropped as seq_exhausted. The cipher work of the whole batch goes to the backend
  /// at once, so one that interleaves packets (crypto_backend.hpp) can.
  void encap_batch(std::size_t lane, SeqBlock seqs, std::span<Job> jobs);

  /// The number the next packet will carry (starts at 1, RFC 4303 3.3.3).
  SequenceNumber next_seq() const { return SequenceNumber{next_seq_.load()}; }
  void set_next_seq_for_test(SequenceNumber seq) { next_seq_.store(seq.value); }

 private:
  OutboundSa(const SaParams& p, Transforms t, std::vector<std::unique_ptr<IvSource>> iv);
  Result<std::size_t, DropReason> check_room(MutableByteSpan buf, std::size_t offset,
                                             std::size_t length);
  bool usable(std::uint64_t seq) const;
  EncapResult seal_at(std::size_t lane, std::uint64_t seq, MutableByteSpan buf, std::size_t offset,
                      std::size_t length, std::size_t pad, std::uint8_t next_header);
  /// Writes SPI, Seq, IV and trailer around the inner packet; the job for the transform.
  CryptoJob prepare(std::size_t lane, std::uint64_t seq, MutableByteSpan buf, std::size_t offset,
                    std::size_t length, std::size_t pad, std::uint8_t next_header);
  EncapOk sealed(std::size_t lane, std::uint64_t seq, std::size_t offset, const CryptoJob& c,
                 std::size_t length);
  std::vector<std::unique_ptr<IvSource>> iv_;  // one per lane
  std::atomic<std::uint64_t> next_seq_{1};     // 0: the 64-bit space is used up
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

  /// One packet of decap_batch: the ESP packet buf[offset, offset+length) in, the result
  /// out (inner region when ok, else the drop reason; length reads 0 after a drop).
  struct Job {
    MutableByteSpan buf;
    std::size_t offset = 0, length = 0;
    bool ok = false;
    DecapOk out;
    DropReason reason = DropReason::too_short;
    std::uint64_t seq = 0;  // internal
  };
  /// decap() for a batch on `lane` (< lanes()), safe with other lanes decapsulating at the
  /// same time: the replay window is locked once to check every packet (before the ICV) and
  /// once to mark the authenticated ones (RFC 4303 3.4.3), where a number another lane or an
  /// earlier packet of the batch marked meanwhile is dropped as a replay.
  void decap_batch(std::size_t lane, std::span<Job> jobs);

  /// For tests and single-threaded use only (no lock).
  const ReplayWindow& replay_window() const { return window_; }
  /// Marks `top` received, as if that packet had arrived (ESN vectors start mid-space).
  void advance_window_for_test(SequenceNumber top) { window_.update(top); }

 private:
  InboundSa(const SaParams& p, Transforms t);
  std::optional<DropReason> check_packet(MutableByteSpan buf, std::size_t offset,
                                         std::size_t length) const;
  DecapResult finish(std::size_t lane, MutableByteSpan buf, std::size_t offset, SequenceNumber seq);
  void open_all(std::size_t lane, std::span<Job> jobs);
  Result<PacketRegion, DropReason> check_trailer(MutableByteSpan buf, std::size_t start,
                                                 std::size_t plain_len, std::uint8_t& nh);
  ReplayWindow window_;
  std::mutex window_mu_;  // decap_batch only
};

}  // namespace vpnlab::esp
