#pragma once
// Secrets (PSKs, keys, SKEYSEED): a byte container that cannot be printed and zeroes itself.
//
// There is deliberately no operator<<, no formatter and no implicit conversion to a string
// or span: logging a secret does not compile. Code that must hand the bytes to a cipher calls
// expose(), which is easy to grep for. Destruction (and move-from) wipes the bytes with
// explicit_bzero, which the compiler may not elide.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vpnlab {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::span<const std::uint8_t> data) : bytes_(data.begin(), data.end()) {}
  explicit SecretBytes(std::string_view text) : bytes_(text.begin(), text.end()) {}
  explicit SecretBytes(std::size_t size) : bytes_(size, 0) {}
  ~SecretBytes() { wipe(); }

  SecretBytes(const SecretBytes& other) = default;
  SecretBytes& operator=(const SecretBytes& other) {
    if (this != &other) {
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.wipe();
    }
    return *this;
  }

  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  /// The raw bytes, for crypto calls only. Never log or format them.
  std::span<const std::uint8_t> expose() const { return bytes_; }
  std::span<std::uint8_t> expose_mutable() { return bytes_; }
  /// A copy of bytes [offset, offset + n) as a new secret (key material slicing).
  SecretBytes slice(std::size_t offset, std::size_t n) const {
    return SecretBytes(expose().subspan(offset, n));
  }

  /// Constant-time equality (RFC 7296 2.15 AUTH checks compare MACs without early exit).
  bool equals(const SecretBytes& other) const { return constant_time_equal(bytes_, other.bytes_); }
  static bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

 private:
  void wipe();
  std::vector<std::uint8_t> bytes_;
};

/// A fixed-size secret (keys whose size is part of the type).
template <std::size_t N>
class Secret {
 public:
  Secret() = default;
  ~Secret() { wipe_memory(bytes_, N); }
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  static constexpr std::size_t size() { return N; }
  std::span<const std::uint8_t, N> expose() const { return bytes_; }
  std::span<std::uint8_t, N> expose_mutable() { return bytes_; }

  static void wipe_memory(std::uint8_t* p, std::size_t n);

 private:
  std::uint8_t bytes_[N] = {};
};

void secure_wipe(void* p, std::size_t n);

template <std::size_t N>
void Secret<N>::wipe_memory(std::uint8_t* p, std::size_t n) {
  secure_wipe(p, n);
}

/// What status and logs show instead of a secret: its length only.
inline const char* redacted() {
  return "<redacted>";
}

}  // namespace vpnlab
