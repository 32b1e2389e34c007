#pragma once
// Error codes of the dataplane's control interface (category "vpnlab.dataplane"): what
// SaInstaller calls and device setup return. Per-packet problems are counted drops
// (counters.hpp), never error codes.

#include <system_error>

namespace vpnlab::dataplane {

enum class errc {
  ok = 0,
  unknown_tunnel = 1,  // no tunnel of that name
  spi_in_use,          // an SA with this SPI and direction exists already
  unknown_sa,          // no SA with this SPI and direction
  no_socket,           // no socket for the SA's outer local address and encapsulation
  spi_exhausted,       // reserve_spi found no free SPI
  bad_config,          // a tunnel or SA description is invalid (message says which field)
  device_error,        // a TUN device or socket failed (errno in the message)
};

const std::error_category& dataplane_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), dataplane_category()};
}

}  // namespace vpnlab::dataplane

template <>
struct std::is_error_code_enum<vpnlab::dataplane::errc> : std::true_type {};
