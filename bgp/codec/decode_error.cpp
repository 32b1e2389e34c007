#include "bgp/codec/decode_error.hpp"

namespace vpnlab::bgp {

const char* to_string(Rfc7606Action a) {
  switch (a) {
    case Rfc7606Action::none:
      return "none";
    case Rfc7606Action::attribute_discard:
      return "attribute_discard";
    case Rfc7606Action::treat_as_withdraw:
      return "treat_as_withdraw";
    case Rfc7606Action::afi_safi_disable:
      return "afi_safi_disable";
    case Rfc7606Action::session_reset:
      return "session_reset";
  }
  return "?";
}

std::string DecodeError::what() const {
  return field + ": " + message + " at offset " + std::to_string(offset) + " (" +
         error_subcode_name(notification.code, notification.subcode) + ", " + to_string(action) +
         ")";
}

namespace {
DecodeError make(std::string field, std::size_t offset, std::string message, ErrorCode code,
                 std::uint8_t sub, Rfc7606Action action, Bytes data) {
  DecodeError e;
  e.field = std::move(field);
  e.offset = offset;
  e.message = std::move(message);
  e.notification = Notification{static_cast<std::uint8_t>(code), sub, std::move(data)};
  e.action = action;
  return e;
}
}  // namespace

DecodeError header_error(std::string field, std::size_t offset, std::string message,
                         HeaderSubcode sub, Bytes data) {
  return make(std::move(field), offset, std::move(message), ErrorCode::message_header,
              static_cast<std::uint8_t>(sub), Rfc7606Action::session_reset, std::move(data));
}

DecodeError open_error(std::string field, std::size_t offset, std::string message, OpenSubcode sub,
                       Bytes data) {
  return make(std::move(field), offset, std::move(message), ErrorCode::open_message,
              static_cast<std::uint8_t>(sub), Rfc7606Action::session_reset, std::move(data));
}

DecodeError update_error(std::string field, std::size_t offset, std::string message,
                         UpdateSubcode sub, Rfc7606Action action, Bytes data) {
  return make(std::move(field), offset, std::move(message), ErrorCode::update_message,
              static_cast<std::uint8_t>(sub), action, std::move(data));
}

}  // namespace vpnlab::bgp
