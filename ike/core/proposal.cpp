#include "ike/core/proposal.hpp"

#include <algorithm>

namespace vpnlab::ike {
namespace {

Transform tf(TransformType t, std::uint16_t id, std::optional<std::uint16_t> key = {}) {
  Transform x;
  x.type = t;
  x.id = id;
  x.key_length = key;
  return x;
}

std::vector<Transform> transforms_of(const IkeSuite& s) {
  std::vector<Transform> t{tf(TransformType::encr, static_cast<std::uint16_t>(s.encr), s.key_bits)};
  if (!is_aead(s.encr)) t.push_back(tf(TransformType::integ, static_cast<std::uint16_t>(s.integ)));
  t.push_back(tf(TransformType::prf, static_cast<std::uint16_t>(s.prf)));
  t.push_back(tf(TransformType::dh, static_cast<std::uint16_t>(s.dh)));
  return t;
}

std::vector<Transform> transforms_of(const ChildSuite& s) {
  std::vector<Transform> t{
      tf(TransformType::encr, static_cast<std::uint16_t>(s.esp.encr), s.esp.key_bits)};
  if (!is_aead(s.esp.encr)) {
    t.push_back(tf(TransformType::integ, static_cast<std::uint16_t>(s.esp.integ)));
  }
  if (s.dh != DhGroup::none) t.push_back(tf(TransformType::dh, static_cast<std::uint16_t>(s.dh)));
  t.push_back(tf(TransformType::esn, 0));  // no extended sequence numbers
  return t;
}

bool contains(const Proposal& p, const Transform& want) {
  return std::any_of(p.transforms.begin(), p.transforms.end(), [&](const Transform& t) {
    return !t.has_unknown_attribute && t.type == want.type && t.id == want.id &&
           t.key_length == want.key_length;
  });
}

bool has_type(const Proposal& p, TransformType type) {
  return std::any_of(p.transforms.begin(), p.transforms.end(),
                     [&](const Transform& t) { return t.type == type; });
}

/// All of `want` offered, and no transform type offered that `want` leaves out (except an
/// ESP proposal without ESN, or a DH type listing NONE only, both meaning "none").
bool matches(const Proposal& p, const std::vector<Transform>& want) {
  for (const Transform& w : want) {
    if (contains(p, w)) continue;
    if (w.type == TransformType::esn && !has_type(p, TransformType::esn)) continue;
    return false;
  }
  for (const Transform& t : p.transforms) {
    bool wanted =
        std::any_of(want.begin(), want.end(), [&](const Transform& w) { return w.type == t.type; });
    if (!wanted && !(t.type == TransformType::dh && t.id == 0)) return false;
  }
  return true;
}

/// The single-transform reply proposal for `want` with the peer's number and our SPI.
Proposal reply_of(const Proposal& offered, std::vector<Transform> want, Bytes spi) {
  Proposal r;
  r.number = offered.number;
  r.protocol = offered.protocol;
  r.spi = std::move(spi);
  if (!has_type(offered, TransformType::esn)) {
    want.erase(std::remove_if(want.begin(), want.end(),
                              [](const Transform& t) { return t.type == TransformType::esn; }),
               want.end());
  }
  r.transforms = std::move(want);
  return r;
}

std::optional<esp::Spi> spi_of(const Proposal& p) {
  if (p.spi.size() != 4) return std::nullopt;
  return esp::Spi{load_be32(p.spi.data())};
}

}  // namespace

bool is_aead(esp::EncrAlgorithm e) {
  return e != esp::EncrAlgorithm::aes_cbc;
}

std::size_t encr_key_size(esp::EncrAlgorithm e, std::uint16_t key_bits) {
  return key_bits / 8u + (is_aead(e) ? 4u : 0u);
}

namespace {

// strongSwan's proposal spelling: aes256gcm16, aes128-sha256, prfsha384, ecp256, modp2048.
std::string cipher_name(esp::EncrAlgorithm e, std::uint16_t bits, esp::IntegAlgorithm i) {
  std::string out = "aes" + std::to_string(bits) + (is_aead(e) ? "gcm16" : "");
  switch (i) {
    case esp::IntegAlgorithm::none:
      break;
    case esp::IntegAlgorithm::hmac_sha1_96:
      out += "-sha1";
      break;
    case esp::IntegAlgorithm::hmac_sha2_256_128:
      out += "-sha256";
      break;
    case esp::IntegAlgorithm::hmac_sha2_384_192:
      out += "-sha384";
      break;
    case esp::IntegAlgorithm::hmac_sha2_512_256:
      out += "-sha512";
      break;
  }
  return out;
}

std::string dh_name(DhGroup g) {
  switch (g) {
    case DhGroup::ecp_256:
      return "ecp256";
    case DhGroup::ecp_384:
      return "ecp384";
    case DhGroup::ecp_521:
      return "ecp521";
    case DhGroup::curve25519:
      return "curve25519";
    case DhGroup::modp_1024_160:
      return "modp1024s160";
    case DhGroup::modp_2048_224:
      return "modp2048s224";
    case DhGroup::modp_2048_256:
      return "modp2048s256";
    default:
      return "modp" + std::to_string(dh_public_size(g) * 8);
  }
}

}  // namespace

std::string to_string(const IkeSuite& s) {
  std::string prf =
      s.prf == PrfAlgorithm::hmac_sha1 ? "prfsha1" : "prfsha" + std::to_string(prf_size(s.prf) * 8);
  return cipher_name(s.encr, s.key_bits, is_aead(s.encr) ? esp::IntegAlgorithm::none : s.integ) +
         "-" + prf + "-" + dh_name(s.dh);
}

std::string to_string(const ChildSuite& s) {
  std::string out = cipher_name(s.esp.encr, s.esp.key_bits, s.esp.integ);
  if (s.dh != DhGroup::none) out += "-" + dh_name(s.dh);
  return out;
}

Proposal to_proposal(const IkeSuite& s, std::uint8_t number) {
  Proposal p;
  p.number = number;
  p.protocol = ProtocolId::ike;
  p.transforms = transforms_of(s);
  return p;
}

Proposal to_proposal(const ChildSuite& s, std::uint8_t number, esp::Spi spi) {
  Proposal p;
  p.number = number;
  p.protocol = ProtocolId::esp;
  ByteWriter(p.spi).u32(spi.value);
  p.transforms = transforms_of(s);
  return p;
}

namespace {

/// RFC 7296 3.3.1: the reply names the proposal it accepted by number; that proposal must be
/// one we sent, and every transform of the reply one that proposal offered.
bool reply_within_offer(const Proposal& reply, const std::vector<Proposal>& offered) {
  for (const Proposal& o : offered) {
    if (o.number != reply.number || o.protocol != reply.protocol) continue;
    return std::all_of(reply.transforms.begin(), reply.transforms.end(),
                       [&](const Transform& t) { return contains(o, t); });
  }
  return false;
}

}  // namespace

std::optional<IkeChoice> choose_ike(const SaPayload& offered, const std::vector<IkeSuite>& ours,
                                    std::size_t spi_size, std::optional<DhGroup> ke_group) {
  // Our preference first (strongSwan's prefer_configured_proposals; real responders rarely
  // take the initiator's first proposal), then the peer's order among its proposals.
  auto acceptable = [&](const IkeSuite& s) -> const Proposal* {
    for (const Proposal& p : offered.proposals) {
      if (p.protocol == ProtocolId::ike && p.spi.size() == spi_size && matches(p, transforms_of(s)))
        return &p;
    }
    return nullptr;
  };
  for (const IkeSuite& s : ours) {
    const Proposal* p = acceptable(s);
    if (!p) continue;
    // RFC 7296 1.2: the same ciphers with the group the peer already sent a KE for saves
    // the INVALID_KE_PAYLOAD round trip.
    if (ke_group && s.dh != *ke_group) {
      IkeSuite same = s;
      same.dh = *ke_group;
      if (std::find(ours.begin(), ours.end(), same) != ours.end()) {
        if (const Proposal* q = acceptable(same))
          return IkeChoice{same, reply_of(*q, transforms_of(same), {})};
      }
    }
    return IkeChoice{s, reply_of(*p, transforms_of(s), {})};
  }
  return std::nullopt;
}

std::optional<ChildChoice> choose_child(const SaPayload& offered,
                                        const std::vector<ChildSuite>& ours) {
  for (const ChildSuite& s : ours) {  // our preference first, as choose_ike
    for (const Proposal& p : offered.proposals) {
      auto spi = spi_of(p);
      if (p.protocol != ProtocolId::esp || !spi || !matches(p, transforms_of(s))) continue;
      return ChildChoice{s, reply_of(p, transforms_of(s), {}), *spi};
    }
  }
  return std::nullopt;
}

std::optional<IkeSuite> accept_ike(const SaPayload& reply, const std::vector<IkeSuite>& ours,
                                   const std::vector<Proposal>& offered) {
  if (reply.proposals.size() != 1) return std::nullopt;
  const Proposal& p = reply.proposals[0];
  if (!reply_within_offer(p, offered)) return std::nullopt;
  for (const IkeSuite& s : ours) {
    auto want = transforms_of(s);
    if (p.protocol == ProtocolId::ike && p.transforms.size() == want.size() && matches(p, want)) {
      return s;
    }
  }
  return std::nullopt;
}

std::optional<ChildChoice> accept_child(const SaPayload& reply, const std::vector<ChildSuite>& ours,
                                        const std::vector<Proposal>& offered) {
  if (reply.proposals.size() != 1) return std::nullopt;
  const Proposal& p = reply.proposals[0];
  auto spi = spi_of(p);
  if (p.protocol != ProtocolId::esp || !spi) return std::nullopt;
  // The offer's SPI is ours and the reply's the peer's: compare transforms only.
  if (!reply_within_offer(p, offered)) return std::nullopt;
  for (const ChildSuite& s : ours) {
    auto want = transforms_of(s);
    std::size_t expected = want.size() - (has_type(p, TransformType::esn) ? 0 : 1);
    if (p.transforms.size() == expected && matches(p, want)) return ChildChoice{s, p, *spi};
  }
  return std::nullopt;
}

}  // namespace vpnlab::ike
