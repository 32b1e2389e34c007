#pragma once
// Where outbound IVs come from. Injected per SA so tests can replay published vectors
// (strongSwan's IV mock in test_chapoly.c); production SAs use the defaults:
//
//  - AEADs (AES-GCM, ChaCha20-Poly1305): the 64-bit sequence number, big-endian. RFC 4106
//    3.1 and RFC 7634 2 only require uniqueness per key, and the sequence number never
//    repeats within an SA (RFC 4303 3.3.3 forbids cycling).
//  - AES-CBC: unpredictable IVs (RFC 3602 2.3) from AES-128-ECB over a counter under a
//    per-SA random key (RAND_bytes at SA creation): a PRF of a never-repeating input.

#include <memory>

#include "base/bytes.hpp"
#include "esp/types.hpp"

namespace vpnlab::esp {

class IvSource {
 public:
  virtual ~IvSource() = default;
  /// Writes iv.size() bytes (8 or 16) for the packet with this sequence number. Called
  /// once per packet on the worker that owns the SA; must not allocate.
  virtual void next_iv(SequenceNumber seq, MutableByteSpan iv) = 0;
};

/// IV = sequence number (8 bytes, big-endian; zero-extended on the left for 16 bytes).
std::unique_ptr<IvSource> make_sequence_iv_source();
/// IV = AES-128-ECB(random key, 128-bit counter starting at a random value); nullptr if
/// the random generator or cipher failed.
std::unique_ptr<IvSource> make_random_iv_source();

}  // namespace vpnlab::esp
