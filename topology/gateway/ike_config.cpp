#include "topology/gateway/ike_config.hpp"

#include <map>
#include <sstream>

#include "base/errors.hpp"

namespace vpnlab::topology {
namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;

struct Cipher {
  EncrAlgorithm encr;
  std::uint16_t bits;
};

const std::map<std::string, Cipher>& ciphers() {
  static const std::map<std::string, Cipher> m = {
      {"aes128", {EncrAlgorithm::aes_cbc, 128}},
      {"aes256", {EncrAlgorithm::aes_cbc, 256}},
      {"aes128gcm16", {EncrAlgorithm::aes_gcm_16, 128}},
      {"aes256gcm16", {EncrAlgorithm::aes_gcm_16, 256}},
      {"chacha20poly1305", {EncrAlgorithm::chacha20_poly1305, 256}}};
  return m;
}
const std::map<std::string, IntegAlgorithm>& integs() {
  static const std::map<std::string, IntegAlgorithm> m = {
      {"sha1", IntegAlgorithm::hmac_sha1_96},
      {"sha256", IntegAlgorithm::hmac_sha2_256_128},
      {"sha384", IntegAlgorithm::hmac_sha2_384_192},
      {"sha512", IntegAlgorithm::hmac_sha2_512_256}};
  return m;
}
const std::map<std::string, ike::PrfAlgorithm>& prfs() {
  static const std::map<std::string, ike::PrfAlgorithm> m = {
      {"prfsha1", ike::PrfAlgorithm::hmac_sha1},
      {"prfsha256", ike::PrfAlgorithm::hmac_sha2_256},
      {"prfsha384", ike::PrfAlgorithm::hmac_sha2_384},
      {"prfsha512", ike::PrfAlgorithm::hmac_sha2_512}};
  return m;
}
const std::map<std::string, ike::DhGroup>& groups() {
  using G = ike::DhGroup;
  static const std::map<std::string, G> m = {{"modp1024", G::modp_1024},
                                             {"modp1536", G::modp_1536},
                                             {"modp2048", G::modp_2048},
                                             {"modp3072", G::modp_3072},
                                             {"modp4096", G::modp_4096},
                                             {"modp6144", G::modp_6144},
                                             {"modp8192", G::modp_8192},
                                             {"ecp256", G::ecp_256},
                                             {"ecp384", G::ecp_384},
                                             {"ecp521", G::ecp_521},
                                             {"modp1024s160", G::modp_1024_160},
                                             {"modp2048s224", G::modp_2048_224},
                                             {"modp2048s256", G::modp_2048_256},
                                             {"curve25519", G::curve25519}};
  return m;
}

// The PRF that goes with an integrity algorithm when a CBC proposal names none (strongSwan
// derives it the same way).
ike::PrfAlgorithm prf_for(IntegAlgorithm i) {
  switch (i) {
    case IntegAlgorithm::hmac_sha1_96:
      return ike::PrfAlgorithm::hmac_sha1;
    case IntegAlgorithm::hmac_sha2_384_192:
      return ike::PrfAlgorithm::hmac_sha2_384;
    case IntegAlgorithm::hmac_sha2_512_256:
      return ike::PrfAlgorithm::hmac_sha2_512;
    default:
      return ike::PrfAlgorithm::hmac_sha2_256;
  }
}

struct Parts {
  std::vector<Cipher> ciphers;
  std::vector<IntegAlgorithm> integs;
  std::vector<ike::PrfAlgorithm> prfs;
  std::vector<ike::DhGroup> groups;
};

Checked<Parts> split(const std::string& text) {
  Parts p;
  std::stringstream ss(text);
  std::string word;
  while (std::getline(ss, word, '-')) {
    if (auto c = ciphers().find(word); c != ciphers().end())
      p.ciphers.push_back(c->second);
    else if (auto i = integs().find(word); i != integs().end())
      p.integs.push_back(i->second);
    else if (auto f = prfs().find(word); f != prfs().end())
      p.prfs.push_back(f->second);
    else if (auto g = groups().find(word); g != groups().end())
      p.groups.push_back(g->second);
    else {
      return fail(make_error_code(errc::invalid_value),
                  "proposal '" + text + "': unknown algorithm '" + word + "'");
    }
  }
  if (p.ciphers.empty()) {
    return fail(make_error_code(errc::invalid_value), "proposal '" + text + "' names no cipher");
  }
  return p;
}

// The integrity algorithms that go with a cipher: none for an AEAD, else the proposal's.
Checked<std::vector<IntegAlgorithm>> integ_for(const Cipher& c, const Parts& p,
                                               const std::string& what) {
  if (ike::is_aead(c.encr)) return std::vector<IntegAlgorithm>{IntegAlgorithm::none};
  if (p.integs.empty()) {
    return fail(make_error_code(errc::invalid_value), what + ": CBC needs an integrity algorithm");
  }
  return p.integs;
}

}  // namespace

Checked<std::vector<ike::IkeSuite>> parse_ike_proposal(const std::string& text) {
  auto p = split(text);
  if (!p) return Unexpected{p.error()};
  if (p->groups.empty()) {
    return fail(make_error_code(errc::invalid_value),
                "IKE proposal '" + text + "' names no DH group");
  }
  std::vector<ike::IkeSuite> out;
  for (const auto& c : p->ciphers) {
    auto integ = integ_for(c, *p, "IKE proposal '" + text + "'");
    if (!integ) return Unexpected{integ.error()};
    for (auto i : *integ) {
      std::vector<ike::PrfAlgorithm> prf = p->prfs;
      if (prf.empty())
        prf.push_back(prf_for(i == IntegAlgorithm::none ? IntegAlgorithm::hmac_sha2_256_128 : i));
      for (auto f : prf) {
        for (auto g : p->groups) out.push_back(ike::IkeSuite{c.encr, c.bits, i, f, g});
      }
    }
  }
  return out;
}

Checked<std::vector<ike::ChildSuite>> parse_esp_proposal(const std::string& text) {
  auto p = split(text);
  if (!p) return Unexpected{p.error()};
  std::vector<ike::DhGroup> pfs = p->groups;
  if (pfs.empty()) pfs.push_back(ike::DhGroup::none);
  std::vector<ike::ChildSuite> out;
  for (const auto& c : p->ciphers) {
    auto integ = integ_for(c, *p, "ESP proposal '" + text + "'");
    if (!integ) return Unexpected{integ.error()};
    for (auto i : *integ) {
      for (auto g : pfs) out.push_back(ike::ChildSuite{esp::SuiteId{c.encr, c.bits, i}, g});
    }
  }
  return out;
}

// cloud-facts "Default IPsec (phase 2)": Azure's CHILD_SAs also expire after 102,400,000 KB
// (saDataSizeKilobytes with a custom policy); AWS has no volume lifetime (0: none). The
// dataplane counts the bytes; crossing the soft limit starts a rekey, the hard one deletes.
// The soft limit keeps the time margin's share of the lifetime (540 s of 3600 s -> 85 %).
dataplane::SaLimits child_limits(const TunnelPlan& t) {
  dataplane::SaLimits l;
  if (t.child_lifetime_kb <= 0) return l;
  l.hard_bytes = static_cast<std::uint64_t>(t.child_lifetime_kb) * 1024;
  double keep = 1.0;
  if (t.child_lifetime_s > 0 && t.rekey_margin_s > 0 && t.rekey_margin_s < t.child_lifetime_s) {
    keep = static_cast<double>(t.child_lifetime_s - t.rekey_margin_s) /
           static_cast<double>(t.child_lifetime_s);
  }
  l.soft_bytes = static_cast<std::uint64_t>(static_cast<double>(l.hard_bytes) * keep);
  return l;
}

Checked<ike::PeerConfig> ike_peer_config(const GatewayPlan& g, const TunnelPlan& t) {
  ike::PeerConfig c;
  c.tunnel = t.device;
  c.local = t.local_outside;
  c.remote = t.remote_outside;
  // Both clouds identify gateways by their public IPv4 address.
  c.local_id = ike::IdPayload::ipv4(t.local_outside);
  c.remote_id = ike::IdPayload::ipv4(t.remote_outside);
  c.psk = t.psk;
  for (const auto& p : t.ike_proposals) {
    auto suites = parse_ike_proposal(p);
    if (!suites) return Unexpected{suites.error()};
    c.ike_proposals.insert(c.ike_proposals.end(), suites->begin(), suites->end());
  }
  for (const auto& p : t.esp_proposals) {
    auto suites = parse_esp_proposal(p);
    if (!suites) return Unexpected{suites.error()};
    c.child_proposals.insert(c.child_proposals.end(), suites->begin(), suites->end());
  }
  c.timers.ike_lifetime = std::chrono::seconds(t.ike_lifetime_s);
  c.timers.child_lifetime = std::chrono::seconds(t.child_lifetime_s);
  c.timers.rekey_margin = std::chrono::seconds(t.rekey_margin_s);
  c.timers.rekey_fuzz_percent = static_cast<std::uint8_t>(t.rekey_fuzz_percent);
  c.timers.dpd_timeout = std::chrono::seconds(t.dpd_timeout_s);
  c.dpd_action = t.dpd_action == "restart" ? ike::DpdAction::restart
                 : t.dpd_action == "none"  ? ike::DpdAction::none
                                           : ike::DpdAction::clear;
  c.startup =
      t.start == IkeStart::respond_only ? ike::StartupAction::add : ike::StartupAction::start;
  c.mode = t.start == IkeStart::respond_only ? ike::ConnectionMode::responder_only
           : t.start == IkeStart::initiate   ? ike::ConnectionMode::initiator_only
                                             : ike::ConnectionMode::default_mode;
  // The connection mode is Azure's. An AWS tunnel's startup action add only keeps AWS from
  // initiating at creation: with dpd_timeout_action restart AWS re-initiates IKE after DPD
  // whatever its startup action (cloud-facts "DPD timeout action" restart [A-TUN, A-INIT]).
  if (g.cloud == Cloud::aws) c.mode = ike::ConnectionMode::default_mode;
  c.replay_window = static_cast<std::uint32_t>(t.replay_window);
  c.child_limits = child_limits(t);
  c.time_factor = g.time_factor;
  return c;
}

}  // namespace vpnlab::topology
