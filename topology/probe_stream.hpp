#pragma once
// A sequenced UDP stream between two lab namespaces, both directions at once: the traffic
// `vpnlab interop` keeps flowing through rekeys, DPD and tunnel loss to count what is lost
// (and, for drills, the outage: the longest run of consecutive losses).
//
// Each end has one UDP socket opened inside its namespace (sockets keep their namespace). A
// sender thread per end sends datagrams of (magic, sequence number) at a fixed rate to the
// other end; a receiver thread per end records which sequence numbers arrived. stop() ends
// the senders, waits a drain period for datagrams still in flight, and reports.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::topology {

struct ProbeEndpoint {
  std::string netns;
  Ipv4Address address;
  std::uint16_t port = 47000;
};

struct ProbeOptions {
  int rate_pps = 1000;  // per direction
  std::chrono::milliseconds drain{500};
  /// Width of the loss buckets of DirectionReport::lost_per_bucket (a drill's timeline).
  std::chrono::milliseconds bucket{100};
};

/// One run of consecutive lost datagrams; `at_ms` is when its first datagram was sent, as
/// time since the stream started at the send rate (the senders keep pace in 10 ms rounds), so
/// a soak can tell which drill window a loss fell in.
struct LossRun {
  std::uint64_t first_seq = 0, packets = 0;
  double at_ms = 0, duration_ms = 0;
};

struct DirectionReport {
  std::uint64_t sent = 0, received = 0, lost = 0, duplicates = 0, reordered = 0;
  /// The longest run of consecutive lost datagrams, as time at the send rate (the outage).
  double longest_gap_ms = 0;
  std::uint64_t longest_gap_packets = 0;
  /// When the first and the last lost datagram were sent, in ms after the stream started
  /// (sequence number / rate: the senders keep an absolute schedule); -1 when none was lost.
  double first_lost_ms = -1, last_lost_ms = -1;
  /// Lost datagrams per bucket of ProbeOptions::bucket, from the stream's start.
  std::vector<std::uint32_t> lost_per_bucket;
  /// Every run of losses in send order; at most kMaxLossRuns (then `loss_runs_dropped` counts
  /// the rest), so a stream that loses everything cannot grow the report without bound.
  std::vector<LossRun> loss_runs;
  std::uint64_t loss_runs_dropped = 0;
  static constexpr std::size_t kMaxLossRuns = 4096;
};

struct ProbeReport {
  DirectionReport a_to_b, b_to_a;
  /// Wall-clock time (ms since the Unix epoch) when the senders started: LossRun::at_ms is
  /// relative to it.
  std::int64_t started_unix_ms = 0;
  std::uint64_t lost() const { return a_to_b.lost + b_to_a.lost; }
};

/// Losses in a sequence of `sent` datagrams numbered 0..sent-1, given which arrived;
/// bucket_ms > 0 also fills first/last_lost_ms and lost_per_bucket.
DirectionReport tally(std::uint64_t sent, const std::vector<std::uint8_t>& seen, int rate_pps,
                      int bucket_ms = 0);

class ProbeStream {
 public:
  /// Opens both sockets (errors name the namespace and the call) and starts sending.
  static Checked<std::unique_ptr<ProbeStream>> start(const ProbeEndpoint& a, const ProbeEndpoint& b,
                                                     ProbeOptions options = {});
  ~ProbeStream();
  ProbeStream(const ProbeStream&) = delete;
  ProbeStream& operator=(const ProbeStream&) = delete;

  /// Stops sending, drains, stops receiving; the report of the whole run.
  ProbeReport stop();
  /// Datagrams received so far in each direction (progress; atomics only).
  std::uint64_t received_a_to_b() const { return b_.received.load(); }
  std::uint64_t received_b_to_a() const { return a_.received.load(); }
  /// When the senders started: sequence number n was sent at started() + n / rate.
  std::chrono::steady_clock::time_point started() const { return started_; }

 private:
  struct End {
    int fd = -1;
    ProbeEndpoint self;
    std::atomic<std::uint64_t> sent{0};      // by this end
    std::atomic<std::uint64_t> received{0};  // at this end
    std::vector<std::uint8_t> seen;          // at this end, per sequence number (saturating)
    std::uint64_t highest = 0, out_of_order = 0;
    std::thread sender, receiver;
  };
  ProbeStream() = default;
  void send_loop(End& from, const End& to);
  void receive_loop(End& at);

  ProbeOptions options_;
  std::chrono::steady_clock::time_point started_;
  std::int64_t started_unix_ms_ = 0;
  std::atomic<bool> sending_{true}, receiving_{true};
  End a_, b_;
  bool stopped_ = false;
};

}  // namespace vpnlab::topology
