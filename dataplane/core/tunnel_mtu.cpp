#include "dataplane/core/tunnel_mtu.hpp"

namespace vpnlab::dataplane {

std::uint16_t tunnel_mtu(const esp::SuiteId& suite, bool udp_encap) {
  using esp::EncrAlgorithm;
  using esp::IntegAlgorithm;
  // cloud-facts: "MTU/MSS by cipher (MTU / MSS v4 / MSS IPv6-in-IPv4)" [A-BP]:
  // GCM, no NAT-T 1446; GCM + NAT-T 1438; CBC+SHA1/SHA2-256 1438, with NAT-T 1422;
  // CBC+SHA2-384 1422 (both); CBC+SHA2-512 1422, with NAT-T 1406.
  if (suite.encr != EncrAlgorithm::aes_cbc) {
    // AEADs (AES-GCM; ChaCha20-Poly1305 has the same 8-byte IV and 16-byte ICV).
    return udp_encap ? 1438 : 1446;
  }
  switch (suite.integ) {
    case IntegAlgorithm::hmac_sha2_384_192:
      return 1422;
    case IntegAlgorithm::hmac_sha2_512_256:
      return udp_encap ? 1406 : 1422;
    default:
      return udp_encap ? 1422 : 1438;
  }
}

}  // namespace vpnlab::dataplane
