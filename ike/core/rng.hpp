#pragma once
// Randomness for the IKE core (nonces, SPIs, IVs, jitter), injected so that tests are
// deterministic (strongSwan mock_nonce_gen). DH private keys come from OpenSSL's own DRBG
// (dh.hpp) except in known-answer tests, which set them explicitly.

#include <cstdint>

#include "base/bytes.hpp"

namespace vpnlab::ike {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(MutableByteSpan out) = 0;
  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b);
    return b;
  }
  std::uint64_t u64() {
    std::uint8_t b[8];
    fill(b);
    return load_be32(b) * (std::uint64_t{1} << 32) + load_be32(b + 4);
  }
};

/// RAND_bytes from OpenSSL (aborts on DRBG failure: continuing without randomness would
/// produce predictable nonces).
class OpenSslRng final : public Rng {
 public:
  void fill(MutableByteSpan out) override;
};

/// Deterministic generator for tests (xorshift; not random, never for real SAs).
class CountingRng final : public Rng {
 public:
  explicit CountingRng(std::uint64_t seed) : state_(seed | 1) {}
  void fill(MutableByteSpan out) override {
    for (auto& b : out) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      b = static_cast<std::uint8_t>(state_);
    }
  }

 private:
  std::uint64_t state_;
};

}  // namespace vpnlab::ike
