// libFuzzer target over inbound ESP decapsulation (STYLE.md: every decoder fuzzed).
// Input: byte 0 picks one of the known SAs (suite, ESN) (low bits) and a mode (bit 7):
//  - raw: the rest is the ESP payload (SPI .. ICV) handed to SaDatabase::decap;
//  - sealed: the rest is a plaintext body (payload | pad | pad length | next header),
//    truncated to the cipher block and sealed with the SA's keys first, so the ICV
//    verifies and the trailer and inner-IP checks after decryption see arbitrary bytes
//    (random bytes alone would almost never get past the ICV). A fresh SA per input keeps runs
// deterministic (the replay window would otherwise remember earlier inputs).
// Invariants checked: decap never reads or reports bytes outside the payload, and a drop
// is counted exactly once.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "esp/sa_database.hpp"
#include "tests/fuzz/esp/esp_fuzz_input.hpp"

namespace {

using namespace vpnlab;
using namespace vpnlab::esp;
using namespace vpnlab::esp::fuzz;

std::uint64_t drops(const SaStats& s) {
  std::uint64_t n = 0;
  for (auto d : s.drops) n += d;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Target& t = target_of(data);
  const std::vector<std::uint8_t> payload = payload_of(data, size);
  SaDatabase db;
  auto sa = InboundSa::create(params_of(t));
  if (!sa || !db.add(std::move(*sa))) std::abort();
  // The payload sits between guard bytes, as in a real buffer with head- and tailroom.
  const std::size_t len = payload.size(), off = 32;
  std::vector<std::uint8_t> buf(off + len + 32, 0xa5);
  if (len) std::memcpy(buf.data() + off, payload.data(), len);
  auto r = db.decap(buf, off, len);
  InboundSa* in = db.find(Spi{0x1000});
  const SaStats s = in->stats();
  if (r) {
    if (r->inner.offset < off || r->inner.offset + r->inner.length > off + len) std::abort();
    if (s.packets != 1 || drops(s) != 0) std::abort();
  } else if (r.error() != DropReason::unknown_spi && r.error() != DropReason::too_short) {
    if (drops(s) != 1 || s.drop(r.error()) != 1) std::abort();
  }
  for (std::size_t i = 0; i < off; ++i) {
    if (buf[i] != 0xa5 || buf[off + len + i] != 0xa5) std::abort();  // no write outside
  }
  return 0;
}
