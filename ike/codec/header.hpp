#pragma once
// The IKE header (RFC 7296 3.1), decoded once per datagram.
//
//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       IKE SA Initiator's SPI                  |
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       IKE SA Responder's SPI                  |
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                          Message ID                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                            Length                             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include <cstdint>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/errors.hpp"
#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

/// An IKE SA SPI (8 octets, RFC 7296 2.6), host order.
struct IkeSpi {
  std::uint64_t value = 0;
  auto operator<=>(const IkeSpi&) const = default;
};

/// RFC 7296 3.1 message ID.
struct MessageId {
  std::uint32_t value = 0;
  auto operator<=>(const MessageId&) const = default;
};

struct Header {
  static constexpr std::size_t kSize = 28;
  static constexpr std::uint8_t kFlagInitiator = 0x08;  // I
  static constexpr std::uint8_t kFlagVersion = 0x10;    // V
  static constexpr std::uint8_t kFlagResponse = 0x20;   // R

  IkeSpi spi_i;
  IkeSpi spi_r;
  PayloadType next_payload = PayloadType::none;
  std::uint8_t version = 0x20;  // major 2, minor 0
  ExchangeType exchange = ExchangeType::ike_sa_init;
  std::uint8_t flags = 0;
  MessageId message_id;
  std::uint32_t length = 0;

  bool is_response() const { return flags & kFlagResponse; }
  bool from_initiator() const { return flags & kFlagInitiator; }
  bool operator==(const Header&) const = default;
};

/// Decodes the header and checks RFC 7296 2.5 (major version 2) and that Length equals the
/// datagram size (3.1). Errors: truncated (INVALID_SYNTAX), invalid_major_version
/// (INVALID_MAJOR_VERSION, answered unencrypted).
Result<Header, ParseError> decode_header(ByteSpan datagram);
/// Writes the 28 header bytes (Length as given; patch it once the message is complete).
void encode_header(const Header& h, ByteWriter& w);

}  // namespace vpnlab::ike
