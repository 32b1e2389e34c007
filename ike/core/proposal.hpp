#pragma once
// Algorithm suites and proposal negotiation (RFC 7296 2.7, 3.3). Our configuration is an
// ordered list of suites (our preference), folded into as few proposals as possible. A peer's
// proposals may list several transforms per type; as responder we take the first of OUR
// suites that some peer proposal contains (the peer's order only among its proposals), and
// answer with that proposal's number (3.3.1). As initiator we accept only a reply that names
// one of the proposals we sent and picks one transform per type from it.

#include <optional>
#include <string>
#include <vector>

#include "esp/types.hpp"
#include "ike/codec/payload_sa.hpp"
#include "ike/core/dh.hpp"
#include "ike/core/prf.hpp"

namespace vpnlab::ike {

/// The IKE SA's algorithms: "aes256gcm16-prfsha256-ecp256", "aes128-sha256-modp2048".
struct IkeSuite {
  esp::EncrAlgorithm encr = esp::EncrAlgorithm::aes_cbc;
  std::uint16_t key_bits = 256;
  esp::IntegAlgorithm integ = esp::IntegAlgorithm::hmac_sha2_256_128;
  PrfAlgorithm prf = PrfAlgorithm::hmac_sha2_256;
  DhGroup dh = DhGroup::modp_2048;
  bool operator==(const IkeSuite&) const = default;
};

/// A CHILD_SA's algorithms; dh is the PFS group (none = no PFS).
struct ChildSuite {
  esp::SuiteId esp;
  DhGroup dh = DhGroup::none;
  bool operator==(const ChildSuite&) const = default;
};

bool is_aead(esp::EncrAlgorithm e);
/// Octets of SK_e / ESP encryption key: key + 4-byte salt for GCM (RFC 5282 7.1, RFC 4106 8.1).
std::size_t encr_key_size(esp::EncrAlgorithm e, std::uint16_t key_bits);
std::string to_string(const IkeSuite& s);
std::string to_string(const ChildSuite& s);

Proposal to_proposal(const IkeSuite& s, std::uint8_t number);
/// spi: our inbound ESP SPI (4 octets).
Proposal to_proposal(const ChildSuite& s, std::uint8_t number, esp::Spi spi);

/// The suites folded into as few proposals as possible (proposal_compact.cpp): every
/// combination a responder may pick from one proposal is one of the suites.
std::vector<Proposal> compact_proposals(const std::vector<IkeSuite>& suites, const Bytes& spi = {});
std::vector<Proposal> compact_proposals(const std::vector<ChildSuite>& suites, esp::Spi spi);

struct IkeChoice {
  IkeSuite suite;
  Proposal proposal;  // the reply proposal (one transform per type, the peer's number)
};
struct ChildChoice {
  ChildSuite suite;
  Proposal proposal;
  esp::Spi peer_spi;
};

/// RFC 7296 2.7 responder choice; std::nullopt -> NO_PROPOSAL_CHOSEN.
/// spi_size: 0 in IKE_SA_INIT, 8 when rekeying the IKE_SA (2.18); the reply keeps no SPI.
/// ke_group: the group of the initiator's KE payload; among equally preferred suites that
/// differ only in the group, that one is taken (no INVALID_KE_PAYLOAD round trip).
std::optional<IkeChoice> choose_ike(const SaPayload& offered, const std::vector<IkeSuite>& ours,
                                    std::size_t spi_size = 0,
                                    std::optional<DhGroup> ke_group = std::nullopt);
std::optional<ChildChoice> choose_child(const SaPayload& offered,
                                        const std::vector<ChildSuite>& ours);

/// Initiator: the responder's SA must hold exactly one proposal that is one of ours
/// (RFC 7296 2.7: "accepted cryptographic suite MUST contain exactly one transform of each
/// type included in the proposal"), numbered as the proposal of `offered` (what we sent)
/// it was taken from, with every transform from that proposal (3.3.1).
std::optional<IkeSuite> accept_ike(const SaPayload& reply, const std::vector<IkeSuite>& ours,
                                   const std::vector<Proposal>& offered);
std::optional<ChildChoice> accept_child(const SaPayload& reply, const std::vector<ChildSuite>& ours,
                                        const std::vector<Proposal>& offered);

}  // namespace vpnlab::ike
