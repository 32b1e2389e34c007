#pragma once
// RFC 4271 §4.1 message header.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           Marker (16 octets, all ones)        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Length               |      Type     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include <optional>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "bgp/codec/decode_error.hpp"
#include "bgp/codec/types.hpp"

namespace vpnlab::bgp {

struct Header {
  std::uint16_t length = 0;
  MessageType type = MessageType::keepalive;
};

/// Checks marker, length bounds (§4.1, §6.1 per-type minimums) and type. `data` holds at
/// least kHeaderSize bytes.
Result<Header, DecodeError> decode_header(ByteSpan data);

/// For a stream deframer: the length of the message starting at data, std::nullopt while
/// fewer than kHeaderSize bytes are buffered. The value is not validated; decode_header
/// does that once the whole message is in.
std::optional<std::size_t> frame_length(ByteSpan data);

/// Writes marker, a length placeholder and the type; returns the offset to patch with
/// finish_message().
std::size_t begin_message(ByteWriter& w, MessageType type);
void finish_message(ByteWriter& w, std::size_t start);

}  // namespace vpnlab::bgp
