#pragma once
// A toy SK cipher for codec tests: XOR "encryption" with a keyed byte and a 4-byte additive
// checksum as ICV. It exercises the framing (IV, padding, ICV position, AAD span) without
// OpenSSL; the real ciphers are tested in sk_cipher_test.cpp.

#include <numeric>

#include "ike/codec/payload_sk.hpp"

namespace vpnlab::ike::test {

class XorCipher : public SkCipher {
 public:
  explicit XorCipher(std::size_t block = 16) : block_(block) {}
  std::size_t iv_size() const override { return 8; }
  std::size_t block_size() const override { return block_; }
  std::size_t icv_size() const override { return 4; }
  bool seal(MutableByteSpan msg, std::size_t iv_at) override {
    for (std::size_t i = 0; i < 8; ++i) msg[iv_at + i] = static_cast<std::uint8_t>(0xa0 + i);
    for (std::size_t i = iv_at + 8; i < msg.size() - 4; ++i) msg[i] ^= 0x5c;
    store_be32(&msg[msg.size() - 4], sum(msg));
    return true;
  }
  bool open(MutableByteSpan msg, std::size_t iv_at) override {
    if (load_be32(&msg[msg.size() - 4]) != sum(msg)) return false;
    for (std::size_t i = iv_at + 8; i < msg.size() - 4; ++i) msg[i] ^= 0x5c;
    return true;
  }

 private:
  static std::uint32_t sum(MutableByteSpan msg) {
    return std::accumulate(msg.begin(), msg.end() - 4, std::uint32_t{7},
                           [](std::uint32_t a, std::uint8_t b) { return a * 31 + b; });
  }
  std::size_t block_;
};

}  // namespace vpnlab::ike::test
