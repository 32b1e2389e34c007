// libFuzzer target over the whole IKE message decode pipeline: header, payload chain, SK{}
// and SKF framing (with the toy cipher, so fuzzed bytes reach the inner chain), rules.
// Any input must give a value or a ParseError, never a crash.

#include <cstddef>
#include <cstdint>

#include "ike/codec/message.hpp"
#include "tests/unit/ike/test_cipher.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vpnlab::ike;
  vpnlab::ByteSpan in(data, size);
  test::XorCipher cipher;
  FragmentReassembler reasm;
  auto d = decode_message(in, &cipher, &reasm);
  if (d && *d) {
    // Whatever decodes must encode again without failing.
    auto again = encode_message(**d, (*d)->encrypted ? &cipher : nullptr);
    (void)again;
  }
  auto plain = decode_message(in, nullptr, nullptr);
  (void)plain;
  return 0;
}
