#pragma once
// How the gateway's status document spells times and SPIs (the clouds' consoles show UTC
// ISO-8601 times and hexadecimal SPIs, as `swanctl --list-sas` does).

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "esp/types.hpp"

namespace vpnlab::topology {

inline std::string utc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

inline std::string hex_spi(esp::Spi spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", spi.value);
  return buf;
}

}  // namespace vpnlab::topology
