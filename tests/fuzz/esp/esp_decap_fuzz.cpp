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
#include "esp/transform.hpp"
#include "tests/unit/esp/esp_test_util.hpp"

namespace {

using namespace vpnlab;
using namespace vpnlab::esp;

struct Target {
  SuiteId suite;
  bool esn;
};

const Target kTargets[] = {
    {{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none}, false},
    {{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, true},
    {{EncrAlgorithm::chacha20_poly1305, 256, IntegAlgorithm::none}, false},
    {{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96}, false},
    {{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256}, true},
};
constexpr std::size_t kTargetCount = sizeof(kTargets) / sizeof(kTargets[0]);

std::uint64_t drops(const SaStats& s) {
  std::uint64_t n = 0;
  for (auto d : s.drops) n += d;
  return n;
}

// Builds SPI | Seq 1 | IV | body | ICV for the SA with this suite, sealed with its keys.
std::vector<std::uint8_t> seal_body(const Target& t, const std::uint8_t* data, std::size_t len) {
  const SaParams p = test::params_for(t.suite, 0x1000, t.esn, 64);
  const Overhead o = overhead(t.suite);
  const std::size_t body = len / o.block_size * o.block_size;
  std::vector<std::uint8_t> out(o.headroom + body + o.icv_size, 0);
  store_be32(out.data(), p.spi.value);
  store_be32(out.data() + 4, 1);
  if (body) std::memcpy(out.data() + o.headroom, data, body);
  auto tr = make_transform(TransformKeys{p.suite, p.keys, p.esn, true});
  if (!tr || !(*tr)->seal(out.data(), body, 0)) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Target& t = kTargets[(data[0] & 0x7f) % kTargetCount];
  std::vector<std::uint8_t> payload(data + 1, data + size);
  if (data[0] & 0x80) payload = seal_body(t, data + 1, size - 1);
  SaDatabase db;
  auto sa = InboundSa::create(test::params_for(t.suite, 0x1000, t.esn, 64));
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
