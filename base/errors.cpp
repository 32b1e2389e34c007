#include "base/errors.hpp"

namespace vpnlab {
namespace {

class BaseCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vpnlab.base"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok:
        return "ok";
      case errc::truncated:
        return "truncated input";
      case errc::invalid_value:
        return "invalid value";
      case errc::invalid_length:
        return "invalid length";
      case errc::overflow:
        return "output buffer too small";
      case errc::not_found:
        return "not found";
      case errc::already_exists:
        return "already exists";
      case errc::io_error:
        return "I/O error";
      case errc::unsupported:
        return "unsupported";
    }
    return "unknown vpnlab.base error";
  }
};

}  // namespace

const std::error_category& base_category() noexcept {
  static const BaseCategory category;
  return category;
}

}  // namespace vpnlab
