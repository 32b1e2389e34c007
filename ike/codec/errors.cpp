#include "ike/codec/errors.hpp"

namespace vpnlab::ike {
namespace {

class IkeCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vpnlab.ike"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok:
        return "ok";
      case errc::truncated:
        return "truncated";
      case errc::invalid_syntax:
        return "invalid syntax";
      case errc::invalid_major_version:
        return "invalid major version";
      case errc::unsupported_critical:
        return "unsupported critical payload";
      case errc::rule_violation:
        return "payload not allowed in this message";
      case errc::integrity_failed:
        return "integrity check failed";
      case errc::no_proposal_chosen:
        return "no proposal chosen";
      case errc::invalid_ke:
        return "invalid KE payload";
      case errc::authentication_failed:
        return "authentication failed";
      case errc::unexpected_message:
        return "unexpected message";
      case errc::internal:
        return "internal error";
    }
    return "unknown vpnlab.ike error";
  }
};

}  // namespace

const std::error_category& ike_category() noexcept {
  static const IkeCategory category;
  return category;
}

ParseError syntax_error(std::string_view field, std::size_t offset, std::string_view what) {
  ParseError e;
  e.code = errc::invalid_syntax;
  e.notify = NotifyType::invalid_syntax;
  e.offset = offset;
  e.message =
      std::string(field) + " at offset " + std::to_string(offset) + ": " + std::string(what);
  return e;
}

ParseError truncated_error(std::string_view field, std::size_t offset) {
  ParseError e = syntax_error(field, offset, "truncated");
  e.code = errc::truncated;
  return e;
}

}  // namespace vpnlab::ike
