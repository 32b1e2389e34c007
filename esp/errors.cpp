#include "esp/errors.hpp"

namespace vpnlab::esp {

namespace {
class Category : public std::error_category {
 public:
  const char* name() const noexcept override { return "vpnlab.esp"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok:
        return "ok";
      case errc::unsupported_suite:
        return "unsupported ESP suite";
      case errc::bad_key_length:
        return "ESP key material has the wrong length for the suite";
      case errc::reserved_spi:
        return "SPI 0-255 is reserved (RFC 4303 2.1)";
      case errc::bad_replay_window:
        return "replay window larger than supported";
      case errc::crypto_init_failed:
        return "crypto library failed to set up the SA";
      case errc::spi_in_use:
        return "an SA with this SPI already exists";
      case errc::backend_unavailable:
        return "crypto backend not available in this build or on this CPU";
    }
    return "unknown esp error";
  }
};
}  // namespace

const std::error_category& esp_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace vpnlab::esp
