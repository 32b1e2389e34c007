#include "dataplane/core/tunnel_mtu.hpp"

#include <gtest/gtest.h>

namespace vpnlab::dataplane {
namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;
using esp::SuiteId;

// cloud-facts: "MTU/MSS by cipher (MTU / MSS v4 / MSS IPv6-in-IPv4)" [A-BP]
TEST(TunnelMtu, MatchesAwsTable) {
  struct Case {
    const char* name;
    SuiteId suite;
    bool nat_t;
    std::uint16_t mtu, mss;
  };
  SuiteId gcm{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none};
  SuiteId cbc_sha1{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha1_96};
  SuiteId cbc_sha256{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128};
  SuiteId cbc_sha384{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_384_192};
  SuiteId cbc_sha512{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256};
  std::vector<Case> cases = {
      {"GCM, no NAT-T", gcm, false, 1446, 1406},
      {"GCM + NAT-T", gcm, true, 1438, 1398},
      {"CBC+SHA1", cbc_sha1, false, 1438, 1398},
      {"CBC+SHA2-256", cbc_sha256, false, 1438, 1398},
      {"CBC+SHA2-256 NAT-T", cbc_sha256, true, 1422, 1382},
      {"CBC+SHA2-384", cbc_sha384, false, 1422, 1382},
      {"CBC+SHA2-384 NAT-T", cbc_sha384, true, 1422, 1382},
      {"CBC+SHA2-512", cbc_sha512, false, 1422, 1382},
      {"CBC+SHA2-512 NAT-T", cbc_sha512, true, 1406, 1366},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(tunnel_mtu(c.suite, c.nat_t), c.mtu);
    EXPECT_EQ(tunnel_mss(tunnel_mtu(c.suite, c.nat_t)), c.mss);
  }
}

}  // namespace
}  // namespace vpnlab::dataplane
