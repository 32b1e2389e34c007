#include "base/log_limited.hpp"

#include <cstdarg>
#include <cstdio>
#include <string>
#include <utility>

namespace vpnlab::log {
bool ReasonRateLimit::allow(std::string_view reason, Clock::time_point now,
                            std::uint64_t& suppressed) {
  std::lock_guard lock(mu_);
  auto it = reasons_.find(reason);
  if (it == reasons_.end()) it = reasons_.emplace(std::string(reason), State{}).first;
  State& s = it->second;
  if (s.passed && now - s.last < period_) {
    ++s.suppressed;
    return false;
  }
  s.passed = true;
  s.last = now;
  suppressed = std::exchange(s.suppressed, 0);
  return true;
}

bool allow_limited(std::string_view reason, std::uint64_t& suppressed) {
  // One table for the process: every per-packet error path logs through it.
  static ReasonRateLimit limit;
  return limit.allow(reason, ReasonRateLimit::Clock::now(), suppressed);
}

void write_limited(Level lvl, const char* subsystem, std::string_view reason,
                   std::uint64_t suppressed, const char* fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  std::string r(reason);
  if (suppressed == 0) {
    write(lvl, subsystem, "[%s] %s", r.c_str(), msg);
  } else {
    write(lvl, subsystem, "[%s] %s (%llu suppressed)", r.c_str(), msg,
          static_cast<unsigned long long>(suppressed));
  }
}

}  // namespace vpnlab::log
