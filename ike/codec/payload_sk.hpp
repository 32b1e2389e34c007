#pragma once
// Encrypted and Authenticated payload SK (RFC 7296 3.14) and its fragment form SKF
// (RFC 7383 2.5). The codec owns the framing; the cipher (AES-CBC + HMAC, or AES-GCM-16 per
// RFC 5282) is an interface that ike/core implements with OpenSSL.
//
// SK:                                   SKF adds, after the generic header:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Next Payload  |C|  RESERVED   |     |        Fragment Number        | Total Fragments |
// |         Payload Length        |     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Initialization Vector        |     then IV, encrypted content, padding, pad length and
// ~  Encrypted IKE Payloads       ~     ICV exactly as in SK. Only the first fragment's Next
// ~  Padding (0-255 octets)       ~     Payload names the first inner payload (7383 2.5).
// |               |  Pad Length   |
// ~  Integrity Checksum Data      ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/header.hpp"
#include "ike/codec/payload.hpp"

namespace vpnlab::ike {

/// The IKE SA's SK{} transform in one direction pair. `msg` is the whole IKE message with
/// room for IV and ICV; bytes [0, iv_at) are the IKE header and the SK/SKF header.
class SkCipher {
 public:
  virtual ~SkCipher() = default;
  virtual std::size_t iv_size() const = 0;
  /// Plaintext + padding + pad length must be a multiple of this (1 for AEADs).
  virtual std::size_t block_size() const = 0;
  virtual std::size_t icv_size() const = 0;
  /// Writes a fresh IV at iv_at, encrypts [iv_at + iv, size - icv) in place and writes the
  /// ICV into the last icv_size() bytes (AEAD: AAD = [0, iv_at); else HMAC over
  /// [0, size - icv)). Returns false only on a crypto library failure.
  virtual bool seal(MutableByteSpan msg, std::size_t iv_at) = 0;
  /// Verifies the ICV and decrypts in place; false if it does not verify.
  virtual bool open(MutableByteSpan msg, std::size_t iv_at) = 0;
};

/// Builds header || SK{payloads}: Length and Next Payload are set here.
Result<Bytes, ParseError> protect(Header header, const std::vector<Payload>& payloads,
                                  SkCipher& cipher);

/// RFC 7383 2.5: splits the inner payloads into SKF fragments so that no datagram exceeds
/// max_datagram octets. A single fragment is still SKF (the caller decides when to fragment).
Result<std::vector<Bytes>, ParseError> protect_fragments(Header header,
                                                         const std::vector<Payload>& payloads,
                                                         SkCipher& cipher,
                                                         std::size_t max_datagram);

/// One opened SKF: its number and the decrypted inner bytes (without padding).
struct OpenedFragment {
  std::uint16_t number = 0, total = 0;
  PayloadType inner_first = PayloadType::none;
  Bytes plaintext;
};

/// Verifies and decrypts the SK payload of `datagram` (modified in place) and returns the
/// plaintext inner payload bytes. Errors: truncated/invalid layout (INVALID_SYNTAX),
/// integrity_failed (notify none: drop silently, RFC 7296 2.21.2).
Result<Bytes, ParseError> open_sk(MutableByteSpan datagram, const EncryptedPayload& sk,
                                  SkCipher& cipher);
Result<OpenedFragment, ParseError> open_skf(MutableByteSpan datagram, const EncryptedPayload& skf,
                                            SkCipher& cipher);

/// Collects SKF fragments of one message (RFC 7383 2.6.1); returns the reassembled inner
/// payload bytes and first type when the last missing fragment arrives.
class FragmentReassembler {
 public:
  static constexpr std::uint16_t kMaxFragments = 64;
  struct Complete {
    PayloadType inner_first;
    Bytes plaintext;
  };
  Result<std::optional<Complete>, ParseError> add(MessageId id, OpenedFragment fragment);
  void clear() { fragments_.clear(); }

 private:
  MessageId id_;
  std::uint16_t total_ = 0;
  std::map<std::uint16_t, OpenedFragment> fragments_;
};

}  // namespace vpnlab::ike
