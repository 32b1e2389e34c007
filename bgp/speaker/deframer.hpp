#pragma once
// Splits a TCP byte stream into BGP messages by the header's Length field (RFC 4271 §4.1).
// A Length outside 19..4096 cannot be trusted to find the next message: the deframer hands
// out the 19-octet header alone (the decoder turns it into Bad Message Length) and stops.

#include <optional>

#include "base/bytes.hpp"

namespace vpnlab::bgp {

class Deframer {
 public:
  void feed(ByteSpan data) { buf_.insert(buf_.end(), data.begin(), data.end()); }
  /// The next whole message, or std::nullopt until more bytes arrive.
  std::optional<Bytes> next();
  bool broken() const { return broken_; }
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  Bytes buf_;
  std::size_t pos_ = 0;
  bool broken_ = false;
};

}  // namespace vpnlab::bgp
