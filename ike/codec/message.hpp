#pragma once
// An IKE message: header plus payloads, either in the clear (IKE_SA_INIT) or all inside
// SK{} (every later exchange, RFC 7296 3.14). decode_message runs the whole pipeline:
// header -> payload chain -> SK/SKF open (+ reassembly) -> inner chain -> message rules.

#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "ike/codec/header.hpp"
#include "ike/codec/payload.hpp"
#include "ike/codec/payload_sk.hpp"

namespace vpnlab::ike {

struct Message {
  Header header;
  std::vector<Payload> payloads;
  bool encrypted = false;  // payloads travel inside SK{}

  /// The first payload of `type` holding a T, or nullptr.
  template <typename T>
  const T* get(PayloadType type) const {
    for (const Payload& p : payloads) {
      if (p.type == type) return std::get_if<T>(&p.body);
    }
    return nullptr;
  }
  const NotifyPayload* notify(NotifyType type) const;
  /// The first error notify (type < 16384), or nullptr.
  const NotifyPayload* error_notify() const;
  void add(PayloadType type, PayloadBody body) {
    payloads.push_back(Payload{type, false, std::move(body)});
  }
  void add_notify(NotifyType type, Bytes data = {}) {
    add(PayloadType::notify, NotifyPayload::make(type, std::move(data)));
  }
};

/// Encodes; encrypted messages need the IKE SA's cipher. Sets header.length/next_payload.
Result<Bytes, ParseError> encode_message(const Message& m, SkCipher* cipher);

/// Decodes a whole datagram. cipher may be null only for unencrypted messages (else error
/// internal, notify none). An SKF fragment that does not complete a message returns
/// std::nullopt (reassembler required for SKF, else INVALID_SYNTAX). The message rules
/// (rules.hpp) are checked before returning.
Result<std::optional<Message>, ParseError> decode_message(ByteSpan datagram, SkCipher* cipher,
                                                          FragmentReassembler* reassembler);

}  // namespace vpnlab::ike
