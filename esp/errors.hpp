#pragma once
// Error codes of esp/ (category "vpnlab.esp") for setting SAs up: wrong key sizes,
// unsupported suites, SPI clashes. Per-packet failures are not error codes but a DropReason
// (drop_reason.hpp), so the hot path never builds a std::error_code.

#include <system_error>

namespace vpnlab::esp {

enum class errc {
  ok = 0,
  unsupported_suite,    // encr/key size/integ combination this module does not implement
  bad_key_length,       // SaKeys sizes differ from encr_keymat_size / integ_keymat_size
  reserved_spi,         // SPI 0..255 (RFC 4303 2.1)
  bad_replay_window,    // window larger than kMaxReplayWindow
  crypto_init_failed,   // OpenSSL/libsodium refused to set up a context
  spi_in_use,           // SaDatabase already holds an SA with this SPI
  backend_unavailable,  // SaParams::backend names a library this build or CPU lacks
};

const std::error_category& esp_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), esp_category()};
}

}  // namespace vpnlab::esp

template <>
struct std::is_error_code_enum<vpnlab::esp::errc> : std::true_type {};
