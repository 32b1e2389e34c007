#include "base/log.hpp"

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace vpnlab::log {
namespace {
std::atomic<Level> g_level{Level::info};
std::atomic<const char*> g_prefix{""};

const char* level_name(Level l) {
  switch (l) {
    case Level::debug:
      return "DEBUG";
    case Level::info:
      return "INFO";
    case Level::warn:
      return "WARN";
    case Level::error:
      return "ERROR";
    case Level::off:
      return "OFF";
  }
  return "?";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void set_level(Level level) {
  g_level = level;
}
Level level() {
  return g_level;
}
void set_prefix(const char* prefix) {
  g_prefix = prefix ? prefix : "";
}

void write(Level lvl, const char* subsystem, const char* fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  const char* prefix = g_prefix.load();
  std::fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %s%s%s: %s\n", utc.tm_hour, utc.tm_min,
               utc.tm_sec, ts.tv_nsec / 1000000, level_name(lvl), prefix, *prefix ? " " : "",
               subsystem, msg);
}

bool RateLimit::allow() {
  std::int64_t now = now_ms();
  std::int64_t start = window_start_ms_.load(std::memory_order_relaxed);
  if (now - start >= period_ms_ &&
      window_start_ms_.compare_exchange_strong(start, now, std::memory_order_relaxed)) {
    in_window_.store(0, std::memory_order_relaxed);
  }
  if (in_window_.fetch_add(1, std::memory_order_relaxed) < burst_) return true;
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace vpnlab::log
