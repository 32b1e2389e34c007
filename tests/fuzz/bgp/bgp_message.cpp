// libFuzzer target for the BGP message decoder (STYLE.md "Every decoder fuzzed"). The
// first input byte picks the session kind (2-/4-octet ASNs, eBGP/iBGP); decoded OPEN and
// UPDATE messages are re-encoded and must decode again (round-trip property).
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "bgp/codec/message.hpp"

using namespace vpnlab;
using namespace vpnlab::bgp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  CodecOptions opts{(data[0] & 1) != 0, (data[0] & 2) != 0};
  ByteSpan msg(data + 1, size - 1);
  auto m = decode_message(msg, opts);
  if (!m) {
    (void)m.error().what();
    return 0;
  }
  if (auto* o = std::get_if<OpenMessage>(&*m)) {
    if (!decode_message(encode_open(*o), opts)) std::abort();
  }
  if (auto* u = std::get_if<DecodedUpdate>(&*m)) {
    Bytes again = encode_update(u->update, opts);
    if (again.size() <= kMaxMessageSize && !decode_message(again, opts)) std::abort();
  }
  return 0;
}
