#include "bgp/speaker/deframer.hpp"

#include "bgp/codec/header.hpp"

namespace vpnlab::bgp {

std::optional<Bytes> Deframer::next() {
  if (broken_) return std::nullopt;
  ByteSpan rest = ByteSpan(buf_).subspan(pos_);
  auto len = frame_length(rest);
  if (!len) return std::nullopt;
  if (*len < kHeaderSize || *len > kMaxMessageSize) {
    broken_ = true;
    return Bytes(rest.begin(), rest.begin() + kHeaderSize);
  }
  if (rest.size() < *len) return std::nullopt;
  Bytes out(rest.begin(), rest.begin() + *len);
  pos_ += *len;
  // Compact once the consumed prefix dominates, so the buffer does not grow forever.
  if (pos_ > 65536 || pos_ == buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  return out;
}

}  // namespace vpnlab::bgp
