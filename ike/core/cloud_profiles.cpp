#include "ike/core/cloud_profiles.hpp"

namespace vpnlab::ike {
namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;

IkeSuite ike(EncrAlgorithm e, std::uint16_t bits, IntegAlgorithm i, PrfAlgorithm p, DhGroup g) {
  return IkeSuite{e, bits, i, p, g};
}

}  // namespace

PeerConfig aws_tunnel_defaults() {
  PeerConfig c;
  // cloud-facts: "Phase 1 encryption" AES128, AES256, AES128-GCM-16, AES256-GCM-16;
  // "Phase 1 integrity" SHA1, SHA2-256/384/512; "Phase 1 DH groups" 2, 14-24 [A-TUN].
  // Each combination is one suite; the most common ones first.
  const DhGroup groups[] = {DhGroup::modp_2048,     DhGroup::ecp_256,       DhGroup::ecp_384,
                            DhGroup::ecp_521,       DhGroup::modp_3072,     DhGroup::modp_4096,
                            DhGroup::modp_6144,     DhGroup::modp_8192,     DhGroup::modp_2048_256,
                            DhGroup::modp_2048_224, DhGroup::modp_1024_160, DhGroup::modp_1024};
  // Suites that differ only in the DH group are adjacent so that compact_proposals folds
  // them into one proposal per cipher suite (10 proposals, not 120).
  for (std::uint16_t bits : {std::uint16_t{256}, std::uint16_t{128}}) {
    for (DhGroup g : groups) {
      c.ike_proposals.push_back(ike(EncrAlgorithm::aes_gcm_16, bits, IntegAlgorithm::none,
                                    PrfAlgorithm::hmac_sha2_256, g));
    }
    for (auto [integ, prf] :
         {std::pair{IntegAlgorithm::hmac_sha2_256_128, PrfAlgorithm::hmac_sha2_256},
          std::pair{IntegAlgorithm::hmac_sha1_96, PrfAlgorithm::hmac_sha1},
          std::pair{IntegAlgorithm::hmac_sha2_384_192, PrfAlgorithm::hmac_sha2_384},
          std::pair{IntegAlgorithm::hmac_sha2_512_256, PrfAlgorithm::hmac_sha2_512}}) {
      for (DhGroup g : groups) {
        c.ike_proposals.push_back(ike(EncrAlgorithm::aes_cbc, bits, integ, prf, g));
      }
    }
  }
  // cloud-facts: "Phase 2 encryption"/"Phase 2 integrity"/"Phase 2 DH groups (PFS)": the same
  // ciphers; PFS with groups 2, 5, 14-24 [A-TUN]. No-PFS variants accepted too.
  for (std::uint16_t bits : {std::uint16_t{256}, std::uint16_t{128}}) {
    for (DhGroup g : {DhGroup::none, DhGroup::modp_2048, DhGroup::ecp_256, DhGroup::ecp_384,
                      DhGroup::modp_1536, DhGroup::modp_1024}) {
      c.child_proposals.push_back({{EncrAlgorithm::aes_gcm_16, bits, IntegAlgorithm::none}, g});
      for (IntegAlgorithm i :
           {IntegAlgorithm::hmac_sha2_256_128, IntegAlgorithm::hmac_sha1_96,
            IntegAlgorithm::hmac_sha2_384_192, IntegAlgorithm::hmac_sha2_512_256}) {
        c.child_proposals.push_back({{EncrAlgorithm::aes_cbc, bits, i}, g});
      }
    }
  }
  // cloud-facts: "Phase 1 lifetime" 28800; "Phase 2 lifetime" 3600; "Rekey margin time" 540;
  // "Rekey fuzz" 100 %; "Replay window" 1024; "DPD timeout" 30 (user guide value);
  // "DPD probe cadence" interval 10 s [A-TUN, X-XML].
  c.timers.ike_lifetime = std::chrono::seconds(28800);
  c.timers.child_lifetime = std::chrono::seconds(3600);
  c.timers.rekey_margin = std::chrono::seconds(540);
  c.timers.rekey_fuzz_percent = 100;
  c.timers.dpd_interval = std::chrono::seconds(10);
  c.timers.dpd_timeout = std::chrono::seconds(30);
  c.replay_window = 1024;
  // cloud-facts: "DPD timeout action" default clear; "Startup action" default add [A-TUN].
  c.dpd_action = DpdAction::clear;
  c.startup = StartupAction::add;
  return c;
}

PeerConfig azure_defaults() {
  PeerConfig c;
  // cloud-facts: "Default IKE (phase 1), route-based": DH group 2; AES256/SHA1, AES256/SHA256,
  // AES128/SHA1, AES128/SHA256 (3DES offers are not supported here) [Z-DEV]. Custom-policy
  // groups (14, 24, ECP256/384) and GCM follow, as Azure accepts them when configured.
  for (DhGroup g : {DhGroup::modp_1024, DhGroup::modp_2048, DhGroup::modp_2048_256,
                    DhGroup::ecp_256, DhGroup::ecp_384}) {
    c.ike_proposals.push_back(
        ike(EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha1_96, PrfAlgorithm::hmac_sha1, g));
    c.ike_proposals.push_back(ike(EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128,
                                  PrfAlgorithm::hmac_sha2_256, g));
    c.ike_proposals.push_back(
        ike(EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96, PrfAlgorithm::hmac_sha1, g));
    c.ike_proposals.push_back(ike(EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha2_256_128,
                                  PrfAlgorithm::hmac_sha2_256, g));
    c.ike_proposals.push_back(
        ike(EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none, PrfAlgorithm::hmac_sha2_256, g));
    c.ike_proposals.push_back(
        ike(EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none, PrfAlgorithm::hmac_sha2_256, g));
  }
  // cloud-facts: "QM offers, Azure as initiator (order)": GCM-AES256, AES256/SHA1,
  // AES256/SHA256, AES128/SHA1 - all without PFS; as responder also PFS 2, 14, 24 [Z-DEV].
  for (DhGroup g :
       {DhGroup::none, DhGroup::modp_1024, DhGroup::modp_2048, DhGroup::modp_2048_256}) {
    c.child_proposals.push_back({{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, g});
    c.child_proposals.push_back({{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha1_96}, g});
    c.child_proposals.push_back(
        {{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128}, g});
    c.child_proposals.push_back({{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96}, g});
    c.child_proposals.push_back(
        {{EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha2_256_128}, g});
    c.child_proposals.push_back({{EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none}, g});
  }
  // cloud-facts: "Default IKE" SA lifetime 28,800 s; "Default IPsec" 27,000 s;
  // "DPD timeout" default 45 s [Z-DEV, Z-FAQ-IPSEC].
  c.timers.ike_lifetime = std::chrono::seconds(28800);
  c.timers.child_lifetime = std::chrono::seconds(27000);
  c.timers.rekey_margin = std::chrono::seconds(540);
  c.timers.dpd_timeout = std::chrono::seconds(45);
  c.timers.dpd_interval = std::chrono::seconds(15);
  // cloud-facts: "Connection modes" Default dials and accepts [Z-MODE].
  c.mode = ConnectionMode::default_mode;
  c.startup = StartupAction::start;
  c.dpd_action = DpdAction::restart;
  return c;
}

}  // namespace vpnlab::ike
