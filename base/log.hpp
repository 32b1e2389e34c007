#pragma once
// Logging facade: level + subsystem + printf-style message (format-checked by the compiler;
// GCC 12's libstdc++ has no <format>). Subsystems: ike, esp, bgp, dp, nl, topo, cli.
// No per-packet logging on the hot path: count, and use RateLimit for the log line.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace vpnlab::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

void set_level(Level level);
Level level();
/// Prefix every line with this (e.g. the gateway's node name); not owned, must outlive logging.
void set_prefix(const char* prefix);

void write(Level level, const char* subsystem, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

/// Allows at most `burst` lines per `period`; the rest are counted and reported in the next
/// allowed line's caller via suppressed(). Thread-safe.
class RateLimit {
 public:
  explicit RateLimit(std::uint32_t burst = 5,
                     std::chrono::milliseconds period = std::chrono::seconds(1))
      : burst_(burst), period_ms_(period.count()) {}
  bool allow();
  std::uint64_t take_suppressed() { return suppressed_.exchange(0); }

 private:
  std::uint32_t burst_;
  std::int64_t period_ms_;
  std::atomic<std::int64_t> window_start_ms_{0};
  std::atomic<std::uint32_t> in_window_{0};
  std::atomic<std::uint64_t> suppressed_{0};
};

}  // namespace vpnlab::log

#define VPNLAB_LOG(lvl, subsys, ...)                                        \
  do {                                                                      \
    if (::vpnlab::log::Level::lvl >= ::vpnlab::log::level())                \
      ::vpnlab::log::write(::vpnlab::log::Level::lvl, subsys, __VA_ARGS__); \
  } while (0)
