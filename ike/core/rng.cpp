#include "ike/core/rng.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace vpnlab::ike {

void OpenSslRng::fill(MutableByteSpan out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::fprintf(stderr, "vpnlab ike: RAND_bytes failed\n");
    std::abort();
  }
}

}  // namespace vpnlab::ike
