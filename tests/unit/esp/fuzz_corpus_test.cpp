// Every seed of the esp_decap fuzz corpus is a packet that decapsulates: seeds that go
// stale (keys or format changed) would leave the fuzzer starting from noise.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/fuzz/esp/esp_fuzz_input.hpp"

namespace vpnlab::esp::fuzz {
namespace {

TEST(EspFuzzCorpus, EverySeedDecapsulates) {
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VPNLAB_ESP_FUZZ_CORPUS)) {
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(input.empty());
    auto sa = InboundSa::create(params_of(target_of(input.data())));
    ASSERT_TRUE(sa);
    Bytes payload = payload_of(input.data(), input.size());
    auto r = (*sa)->decap(payload, 0, payload.size());
    EXPECT_TRUE(r) << to_string(r.error());
    ++seen;
  }
  EXPECT_GE(seen, 5u);
}

}  // namespace
}  // namespace vpnlab::esp::fuzz
