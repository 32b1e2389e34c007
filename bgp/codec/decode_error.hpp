#pragma once
// What a BGP decoder reports: the field and absolute offset it stopped at, the NOTIFICATION
// the session must send (RFC 4271 §6) and the RFC 7606 action that overrides it where the
// revised error handling applies. Several errors in one UPDATE keep the strongest action
// (RFC 7606 §3: "the approach ... that has the most severe consequences").

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/bytes.hpp"
#include "bgp/codec/types.hpp"

namespace vpnlab::bgp {

/// RFC 7606 §2 error handling approaches, ordered weakest to strongest.
enum class Rfc7606Action : std::uint8_t {
  none = 0,
  attribute_discard = 1,  // drop the attribute, keep the route
  treat_as_withdraw = 2,  // the UPDATE's NLRI are withdrawals
  afi_safi_disable = 3,   // RFC 4760 §7 / RFC 7606 §2
  session_reset = 4,      // NOTIFICATION, close (RFC 4271 §6)
};
const char* to_string(Rfc7606Action a);

/// The NOTIFICATION triple of RFC 4271 §4.5.
struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  Bytes data;
  bool operator==(const Notification&) const = default;
};

struct DecodeError {
  std::string field;       // e.g. "UPDATE attribute AS_PATH (type 2)"
  std::size_t offset = 0;  // absolute offset in the message, header included
  std::string message;     // what is wrong there
  Notification notification;
  Rfc7606Action action = Rfc7606Action::session_reset;

  /// "UPDATE attribute AS_PATH (type 2): segment length 9 exceeds ... at offset 31"
  std::string what() const;
};

DecodeError header_error(std::string field, std::size_t offset, std::string message,
                         HeaderSubcode sub, Bytes data = {});
DecodeError open_error(std::string field, std::size_t offset, std::string message, OpenSubcode sub,
                       Bytes data = {});
DecodeError update_error(std::string field, std::size_t offset, std::string message,
                         UpdateSubcode sub, Rfc7606Action action, Bytes data = {});

}  // namespace vpnlab::bgp
