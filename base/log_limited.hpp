#pragma once
// Rate-limited logging for the per-packet error paths (untrusted input: garbage, floods,
// forged packets): at most one line per reason per period (1 s), so a hostile sender cannot
// flood the log, however fast it sends. Every event is still counted by its counter; the
// line carries the reason (by convention the counter's name, e.g. "esp.rx.drop.auth_failed")
// in brackets and how many lines for it were suppressed since the last one:
//
//   12:00:01.250 WARN  azure-gw0 esp: [dp.rx.drop.unknown_spi] no inbound SA for SPI 0x... (41
//   suppressed)
//
// Thread-safe: the dataplane's workers and the control plane share one table of reasons.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/log.hpp"

namespace vpnlab::log {

/// At most one event per `period` per reason; counts the refused ones. Thread-safe.
class ReasonRateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ReasonRateLimit(std::chrono::milliseconds period = std::chrono::seconds(1))
      : period_(period) {}
  /// Whether an event for `reason` at `now` may pass. When it may, `suppressed` is how many
  /// were refused for that reason since the last one that passed.
  bool allow(std::string_view reason, Clock::time_point now, std::uint64_t& suppressed);

 private:
  struct State {
    Clock::time_point last;
    bool passed = false;
    std::uint64_t suppressed = 0;
  };
  std::chrono::milliseconds period_;
  // Reasons are a small closed set (counter names). A mutex, not atomics: only error paths
  // come here, and the lock is held for one map lookup.
  std::mutex mu_;
  std::map<std::string, State, std::less<>> reasons_;
};

/// Whether a line for `reason` may be written now (one process-wide ReasonRateLimit, 1 s);
/// when it may, `suppressed` is how many were refused since the last one.
bool allow_limited(std::string_view reason, std::uint64_t& suppressed);

/// Writes "[reason] message" plus " (N suppressed)" when N > 0.
void write_limited(Level level, const char* subsystem, std::string_view reason,
                   std::uint64_t suppressed, const char* fmt, ...)
    __attribute__((format(printf, 5, 6)));

}  // namespace vpnlab::log

/// Log a per-packet error at most once per second per reason (see above). The arguments are
/// evaluated only when the line is written.
#define VPNLAB_LOG_LIMITED(lvl, subsys, reason, ...)                                              \
  do {                                                                                            \
    std::uint64_t vpnlab_suppressed_ = 0;                                                         \
    if (::vpnlab::log::Level::lvl >= ::vpnlab::log::level() &&                                    \
        ::vpnlab::log::allow_limited(reason, vpnlab_suppressed_))                                 \
      ::vpnlab::log::write_limited(::vpnlab::log::Level::lvl, subsys, reason, vpnlab_suppressed_, \
                                   __VA_ARGS__);                                                  \
  } while (0)
