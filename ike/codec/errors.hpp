#pragma once
// Errors of the IKE codec and core (category "vpnlab.ike"). A decode error says what the
// protocol must do: the notify to send back (RFC 7296 2.21) with its data, plus a message
// naming the field and the offset in the datagram.

#include <cstddef>
#include <string>
#include <system_error>

#include "base/bytes.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

enum class errc {
  ok = 0,
  truncated,              // a field runs past the end of the datagram or payload
  invalid_syntax,         // a value the RFC forbids
  invalid_major_version,  // RFC 7296 2.5
  unsupported_critical,   // RFC 7296 2.5: unknown payload with the critical bit
  rule_violation,         // payload not allowed / too many / missing (message rules)
  integrity_failed,       // SK{} ICV did not verify
  no_proposal_chosen,
  invalid_ke,
  authentication_failed,
  unexpected_message,
  internal,
};

const std::error_category& ike_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), ike_category()};
}

/// A decode or processing error and the reaction it requires. notify == none means "drop
/// silently" (e.g. a bad ICV, RFC 7296 2.21.2).
struct ParseError {
  errc code = errc::invalid_syntax;
  NotifyType notify = NotifyType::invalid_syntax;
  Bytes notify_data;       // e.g. the payload type for UNSUPPORTED_CRITICAL_PAYLOAD
  std::size_t offset = 0;  // absolute offset in the datagram
  std::string message;     // "<field> at offset N: ..."
};

/// "<field> at offset <n>: <what>" with the notify for INVALID_SYNTAX.
ParseError syntax_error(std::string_view field, std::size_t offset, std::string_view what);
ParseError truncated_error(std::string_view field, std::size_t offset);

}  // namespace vpnlab::ike

template <>
struct std::is_error_code_enum<vpnlab::ike::errc> : std::true_type {};
