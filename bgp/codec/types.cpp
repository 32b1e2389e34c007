#include "bgp/codec/types.hpp"

namespace vpnlab::bgp {

const char* to_string(MessageType t) {
  switch (t) {
    case MessageType::open:
      return "OPEN";
    case MessageType::update:
      return "UPDATE";
    case MessageType::notification:
      return "NOTIFICATION";
    case MessageType::keepalive:
      return "KEEPALIVE";
    case MessageType::route_refresh:
      return "ROUTE-REFRESH";
  }
  return "?";
}

const char* to_string(Origin o) {
  switch (o) {
    case Origin::igp:
      return "IGP";
    case Origin::egp:
      return "EGP";
    case Origin::incomplete:
      return "INCOMPLETE";
  }
  return "?";
}

const char* error_code_name(std::uint8_t code) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::message_header:
      return "Message Header Error";
    case ErrorCode::open_message:
      return "OPEN Message Error";
    case ErrorCode::update_message:
      return "UPDATE Message Error";
    case ErrorCode::hold_timer_expired:
      return "Hold Timer Expired";
    case ErrorCode::fsm:
      return "Finite State Machine Error";
    case ErrorCode::cease:
      return "Cease";
    case ErrorCode::route_refresh_message:
      return "ROUTE-REFRESH Message Error";
  }
  return "Unknown Error";
}

namespace {
const char* header_sub(std::uint8_t s) {
  switch (static_cast<HeaderSubcode>(s)) {
    case HeaderSubcode::connection_not_synchronized:
      return "Connection Not Synchronized";
    case HeaderSubcode::bad_message_length:
      return "Bad Message Length";
    case HeaderSubcode::bad_message_type:
      return "Bad Message Type";
  }
  return "Unspecific";
}
const char* open_sub(std::uint8_t s) {
  switch (static_cast<OpenSubcode>(s)) {
    case OpenSubcode::unspecific:
      return "Unspecific";
    case OpenSubcode::unsupported_version_number:
      return "Unsupported Version Number";
    case OpenSubcode::bad_peer_as:
      return "Bad Peer AS";
    case OpenSubcode::bad_bgp_identifier:
      return "Bad BGP Identifier";
    case OpenSubcode::unsupported_optional_parameter:
      return "Unsupported Optional Parameter";
    case OpenSubcode::unacceptable_hold_time:
      return "Unacceptable Hold Time";
    case OpenSubcode::unsupported_capability:
      return "Unsupported Capability";
  }
  return "Unspecific";
}
const char* update_sub(std::uint8_t s) {
  switch (static_cast<UpdateSubcode>(s)) {
    case UpdateSubcode::malformed_attribute_list:
      return "Malformed Attribute List";
    case UpdateSubcode::unrecognized_well_known_attribute:
      return "Unrecognized Well-known Attribute";
    case UpdateSubcode::missing_well_known_attribute:
      return "Missing Well-known Attribute";
    case UpdateSubcode::attribute_flags_error:
      return "Attribute Flags Error";
    case UpdateSubcode::attribute_length_error:
      return "Attribute Length Error";
    case UpdateSubcode::invalid_origin_attribute:
      return "Invalid ORIGIN Attribute";
    case UpdateSubcode::invalid_next_hop_attribute:
      return "Invalid NEXT_HOP Attribute";
    case UpdateSubcode::optional_attribute_error:
      return "Optional Attribute Error";
    case UpdateSubcode::invalid_network_field:
      return "Invalid Network Field";
    case UpdateSubcode::malformed_as_path:
      return "Malformed AS_PATH";
  }
  return "Unspecific";
}
const char* fsm_sub(std::uint8_t s) {
  switch (static_cast<FsmSubcode>(s)) {
    case FsmSubcode::unspecified:
      return "Unspecified Error";
    case FsmSubcode::unexpected_message_in_open_sent:
      return "Receive Unexpected Message in OpenSent State";
    case FsmSubcode::unexpected_message_in_open_confirm:
      return "Receive Unexpected Message in OpenConfirm State";
    case FsmSubcode::unexpected_message_in_established:
      return "Receive Unexpected Message in Established State";
  }
  return "Unspecified Error";
}
const char* cease_sub(std::uint8_t s) {
  switch (static_cast<CeaseSubcode>(s)) {
    case CeaseSubcode::maximum_number_of_prefixes_reached:
      return "Maximum Number of Prefixes Reached";
    case CeaseSubcode::administrative_shutdown:
      return "Administrative Shutdown";
    case CeaseSubcode::peer_deconfigured:
      return "Peer De-configured";
    case CeaseSubcode::administrative_reset:
      return "Administrative Reset";
    case CeaseSubcode::connection_rejected:
      return "Connection Rejected";
    case CeaseSubcode::other_configuration_change:
      return "Other Configuration Change";
    case CeaseSubcode::connection_collision_resolution:
      return "Connection Collision Resolution";
    case CeaseSubcode::out_of_resources:
      return "Out of Resources";
  }
  return "Unspecific";
}
}  // namespace

const char* error_subcode_name(std::uint8_t code, std::uint8_t subcode) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::message_header:
      return header_sub(subcode);
    case ErrorCode::open_message:
      return open_sub(subcode);
    case ErrorCode::update_message:
      return update_sub(subcode);
    case ErrorCode::fsm:
      return fsm_sub(subcode);
    case ErrorCode::cease:
      return cease_sub(subcode);
    default:
      return "Unspecific";
  }
}

namespace {
void append_snake(std::string& out, const char* name) {
  bool gap = false;
  for (const char* c = name; *c; ++c) {
    bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
    if (!alnum) {
      gap = true;
      continue;
    }
    if (gap && out.back() != '.') out += '_';
    gap = false;
    out += static_cast<char>(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
  }
}
}  // namespace

std::string notification_counter(std::uint8_t code, std::uint8_t subcode) {
  std::string out = "bgp.tx.notification.";
  append_snake(out, error_code_name(code));
  out += '.';
  append_snake(out, error_subcode_name(code, subcode));
  return out;
}

}  // namespace vpnlab::bgp
