#include "dataplane/core/errors.hpp"

#include <string>

namespace vpnlab::dataplane {

namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vpnlab.dataplane"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok:
        return "ok";
      case errc::unknown_tunnel:
        return "unknown tunnel";
      case errc::spi_in_use:
        return "SPI already in use";
      case errc::unknown_sa:
        return "no such SA";
      case errc::no_socket:
        return "no socket for the SA's outer address";
      case errc::spi_exhausted:
        return "no free SPI";
      case errc::bad_config:
        return "invalid dataplane configuration";
      case errc::device_error:
        return "device error";
    }
    return "unknown dataplane error";
  }
};
}  // namespace

const std::error_category& dataplane_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace vpnlab::dataplane
