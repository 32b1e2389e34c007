#include "base/secret.hpp"

#include <string.h>  // explicit_bzero (glibc)

namespace vpnlab {

void secure_wipe(void* p, std::size_t n) {
  if (p != nullptr && n > 0) explicit_bzero(p, n);
}

void SecretBytes::wipe() {
  secure_wipe(bytes_.data(), bytes_.size());
  bytes_.clear();
}

bool SecretBytes::constant_time_equal(std::span<const std::uint8_t> a,
                                      std::span<const std::uint8_t> b) {
  // Length is not secret (it is on the wire); contents are compared without early exit.
  if (a.size() != b.size()) return false;
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

}  // namespace vpnlab
