#pragma once
// Byte spans, a bounds-checked big-endian reader and two writers.
//
// Bytes are std::uint8_t, not std::byte: OpenSSL, libsodium and the socket calls all take
// unsigned char, and protocol code does arithmetic on octets; one type everywhere avoids a
// cast at every boundary.
//
// ByteReader checks the length before every field (strongSwan bio_reader): a read past the
// end returns std::nullopt and leaves the reader where it was, so the caller can name the
// field and offset() in its error. Offsets are absolute within the outermost message, also
// in sub-readers, so errors point at the byte a user sees in a capture.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vpnlab {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using MutableByteSpan = std::span<std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data, std::size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  /// Absolute offset of the next byte to read.
  std::size_t offset() const { return base_ + pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  ByteSpan rest() const { return data_.subspan(pos_); }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[pos_++];
  }
  std::optional<std::uint16_t> u16() { return read_be<std::uint16_t>(); }
  std::optional<std::uint32_t> u24() {
    if (remaining() < 3) return std::nullopt;
    std::uint32_t v = (std::uint32_t{data_[pos_]} << 16) | (std::uint32_t{data_[pos_ + 1]} << 8) |
                      data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  std::optional<std::uint32_t> u32() { return read_be<std::uint32_t>(); }
  std::optional<std::uint64_t> u64() { return read_be<std::uint64_t>(); }

  /// A view of the next n bytes (valid as long as the underlying data).
  std::optional<ByteSpan> bytes(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    ByteSpan s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  /// A reader over the next n bytes, keeping absolute offsets; this reader skips them.
  std::optional<ByteReader> sub(std::size_t n) {
    std::size_t at = offset();
    auto s = bytes(n);
    if (!s) return std::nullopt;
    return ByteReader(*s, at);
  }
  bool skip(std::size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  template <typename T>
  std::optional<T> read_be() {
    if (remaining() < sizeof(T)) return std::nullopt;
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
    pos_ += sizeof(T);
    return v;
  }

  ByteSpan data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

/// Appends big-endian fields to a growing vector (control-plane encoders).
class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  std::size_t size() const { return out_.size(); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u24(std::uint32_t v) { put_be(v, 3); }
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  void bytes(ByteSpan s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  /// Overwrites a 16-bit field written earlier (a length known only after the body).
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }
  void patch_u32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }

 private:
  void put_be(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  Bytes& out_;
};

/// Writes big-endian fields into a fixed caller-owned span (data-plane encoders). A write
/// that does not fit sets overflowed() and writes nothing; check once at the end.
class SpanWriter {
 public:
  explicit SpanWriter(MutableByteSpan out) : out_(out) {}

  std::size_t size() const { return pos_; }
  bool overflowed() const { return overflow_; }
  void u8(std::uint8_t v) { put_be(v, 1); }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  void bytes(ByteSpan s) {
    if (!fits(s.size())) return;
    if (!s.empty()) std::memcpy(out_.data() + pos_, s.data(), s.size());
    pos_ += s.size();
  }

 private:
  bool fits(std::size_t n) {
    if (out_.size() - pos_ < n) overflow_ = true;
    return !overflow_;
  }
  void put_be(std::uint64_t v, int n) {
    if (!fits(static_cast<std::size_t>(n))) return;
    for (int i = 0; i < n; ++i) out_[pos_ + i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
    pos_ += static_cast<std::size_t>(n);
  }
  MutableByteSpan out_;
  std::size_t pos_ = 0;
  bool overflow_ = false;
};

/// Big-endian load/store on raw packet bytes (hot path; caller has checked the length).
inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

/// "0a1b..." for logs and test failure messages (never for secrets: see secret.hpp).
std::string to_hex(ByteSpan data);
/// Parses hex, ignoring whitespace; std::nullopt on an odd digit count or a non-hex char.
std::optional<Bytes> from_hex(std::string_view hex);

}  // namespace vpnlab
