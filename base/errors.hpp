#pragma once
// Error codes of base/ (category "vpnlab.base"), in the pattern of Asio's error.hpp: an
// enum, a category, make_error_code and the is_error_code_enum specialization. Every
// module defines its own enum + category the same way.

#include <string>
#include <system_error>

namespace vpnlab {

enum class errc {
  ok = 0,
  truncated,       // input ended before a field it announced
  invalid_value,   // a field holds a value the format forbids
  invalid_length,  // a length field disagrees with the data
  overflow,        // an output buffer is too small
  not_found,
  already_exists,
  io_error,
  unsupported,
};

const std::error_category& base_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), base_category()};
}

/// The errno as an error_code, for system-call failures.
inline std::error_code errno_code(int err) noexcept {
  return {err, std::system_category()};
}

}  // namespace vpnlab

template <>
struct std::is_error_code_enum<vpnlab::errc> : std::true_type {};
