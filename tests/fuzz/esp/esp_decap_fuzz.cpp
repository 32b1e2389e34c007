// libFuzzer target over inbound ESP decapsulation (STYLE.md: every decoder fuzzed).
// Input: byte 0 picks one of the known SAs (suite, ESN), the rest is the ESP payload
// (SPI .. ICV) handed to SaDatabase::decap. A fresh SA per input keeps runs
// deterministic (the replay window would otherwise remember earlier inputs).
// Invariants checked: decap never reads or reports bytes outside the payload, and a drop
// is counted exactly once.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "esp/sa_database.hpp"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Target& t = kTargets[data[0] % kTargetCount];
  SaDatabase db;
  auto sa = InboundSa::create(test::params_for(t.suite, 0x1000, t.esn, 64));
  if (!sa || !db.add(std::move(*sa))) std::abort();
  // The payload sits between guard bytes, as in a real buffer with head- and tailroom.
  const std::size_t len = size - 1, off = 32;
  std::vector<std::uint8_t> buf(off + len + 32, 0xa5);
  if (len) std::memcpy(buf.data() + off, data + 1, len);
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
