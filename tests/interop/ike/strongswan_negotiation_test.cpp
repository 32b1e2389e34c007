// Negotiation against charon the way real devices negotiate, not one proposal each:
//  - vpnlab offers AWS's whole list, charon (Azure's default policy) picks one in the middle
//    and answers with that proposal's number (RFC 7296 3.3.1);
//  - charon offers several, vpnlab answers by its own preference (not charon's first) with
//    the number of the proposal it took;
//  - charon narrows the selectors (RFC 7296 2.9), and vpnlab narrows charon's;
//  - lifetimes and DPD differ on the two ends: charon rekeys both SAs and probes often;
//  - either end restarts (no DELETE) and comes back with INITIAL_CONTACT (2.4): the stale
//    IKE_SA goes at once and the new CHILD_SA carries traffic.

#include <set>

#include "ike/core/cloud_profiles.hpp"
#include "tests/interop/ike/interop_fixture.hpp"

namespace vpnlab::ike::test {
namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;

const IkeSuite kGcmEcp256{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none,
                          PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
const IkeSuite kCbcModp2048{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128,
                            PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
const ChildSuite kEspCbc256{{EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128},
                            DhGroup::none};
const ChildSuite kEspGcm256{{EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none}, DhGroup::none};

/// The SA payload of every IKE_SA_INIT response among `datagrams` (plain, so decodable).
std::vector<SaPayload> init_response_sas(const std::vector<Bytes>& datagrams) {
  std::vector<SaPayload> out;
  for (const Bytes& d : datagrams) {
    auto m = decode_message(d, nullptr, nullptr);
    if (!m || !*m || (*m)->header.exchange != ExchangeType::ike_sa_init ||
        !(*m)->header.is_response())
      continue;
    if (auto* sa = (*m)->get<SaPayload>(PayloadType::sa)) out.push_back(*sa);
  }
  return out;
}

class StrongSwanNegotiation : public StrongSwanInteropBase {
 protected:
  std::vector<Bytes> received_;
  void record_received() {
    daemon_->on_receive_tap = [this](const Datagram& d) { received_.push_back(d.data); };
  }
  std::vector<std::string> ts_strings(const std::vector<TrafficSelector>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts) out.push_back(t.to_string());
    return out;
  }
};

// The first failure: AWS's offer (10 compact proposals) against Azure's default
// policy in charon. charon takes AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, which
// is not AWS's first proposal, and says so by its number.
TEST_F(StrongSwanNegotiation, AwsOfferAgainstCharonPickingAProposalInTheMiddle) {
  InteropSetup s;
  s.ike_list = aws_tunnel_defaults().ike_proposals;
  s.child_list = aws_tunnel_defaults().child_proposals;
  s.charon_ike = "aes256-sha1-modp1024";
  s.charon_esp = "aes256-sha1";
  ASSERT_NO_FATAL_FAILURE(start(s));
  record_received();
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  expect_child_matches_charon();
  auto replies = init_response_sas(received_);
  ASSERT_FALSE(replies.empty());
  ASSERT_EQ(replies.back().proposals.size(), 1u);
  EXPECT_GT(replies.back().proposals[0].number, 1) << "charon took AWS's first proposal";
  EXPECT_EQ(to_string(*sa()->suite()), "aes256-sha1-prfsha1-modp1024");
  EXPECT_EQ(counters_.get("ike.rx.invalid_syntax").get(), 0u);
  EXPECT_EQ(counters_.get("ike.init.bad_response").get(), 0u);
}

// charon offers three IKE and three ESP proposals (one DH group, so no INVALID_KE_PAYLOAD
// round makes charon reorder them); vpnlab prefers GCM (charon's second) for IKE and
// CBC-SHA256 (charon's third) for ESP, and numbers its IKE_SA_INIT answer 2.
TEST_F(StrongSwanNegotiation, CharonOffersSeveralVpnlabAnswersByItsOwnPreference) {
  InteropSetup s;
  s.charon_ike = "aes128-sha256-ecp256,aes256gcm16-prfsha256-ecp256,aes256-sha256-ecp256";
  s.charon_esp = "aes128-sha1,aes256gcm16,aes256-sha256";
  IkeSuite cbc_ecp = kCbcModp2048;
  cbc_ecp.dh = DhGroup::ecp_256;
  s.ike_list = {kGcmEcp256, cbc_ecp};
  s.child_list = {kEspCbc256, kEspGcm256};
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  expect_child_matches_charon();
  EXPECT_EQ(*sa()->suite(), kGcmEcp256);
  EXPECT_EQ(sa()->children()[0].suite, kEspCbc256);
  auto answers = init_response_sas(sent_);
  ASSERT_EQ(answers.size(), 1u);
  ASSERT_EQ(answers[0].proposals.size(), 1u);
  EXPECT_EQ(answers[0].proposals[0].number, 2);  // charon's second IKE proposal
  CommandResult list = peer_->swanctl("--list-sas");
  EXPECT_NE(list.output.find("AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256"), std::string::npos)
      << list.output;
  EXPECT_NE(list.output.find("AES_CBC-256/HMAC_SHA2_256_128"), std::string::npos) << list.output;
}

// With charon's first proposal in a group vpnlab does not prefer, vpnlab asks for its own
// group (INVALID_KE_PAYLOAD, RFC 7296 1.2); charon retries and gets vpnlab's preference.
TEST_F(StrongSwanNegotiation, CharonRetriesWithTheGroupVpnlabPrefers) {
  InteropSetup s;
  s.charon_ike = "aes128-sha256-modp2048,aes256gcm16-prfsha256-ecp256";
  s.ike_list = {kGcmEcp256, kCbcModp2048};
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  EXPECT_EQ(*sa()->suite(), kGcmEcp256);
  EXPECT_EQ(counters_.get("ike.rx.invalid_ke_payload").get(), 1u);
}

// vpnlab proposes 0.0.0.0/0 both ways (route-based, like the clouds); charon narrows to its
// site prefixes and vpnlab keeps what was negotiated.
TEST_F(StrongSwanNegotiation, CharonNarrowsOurSelectors) {
  InteropSetup s;
  s.hosts = true;  // charon routes narrowed selectors from its site address (10.2.0.1)
  // (kernel-libipsec routes each remote selector once, from a local address inside a
  // local selector: one local prefix holding the site address, two remote ones.)
  s.charon_local_ts = "10.2.0.0/24";
  s.charon_remote_ts = "10.1.0.0/16,169.254.10.1/32";
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  expect_child_matches_charon();
  const ChildSa& c = sa()->children()[0];
  EXPECT_EQ(ts_strings(c.local_ts), (std::vector<std::string>{"10.1.0.0/16", "169.254.10.1/32"}));
  EXPECT_EQ(ts_strings(c.remote_ts), (std::vector<std::string>{"10.2.0.0/24"}));
  EXPECT_EQ(counters_.get("ike.child.ts_widened").get(), 0u);
}

// charon initiates with its wider site prefix; vpnlab's selectors are narrower and charon
// accepts the narrowed answer.
TEST_F(StrongSwanNegotiation, VpnlabNarrowsCharonsSelectors) {
  InteropSetup s;
  s.hosts = true;
  s.charon_local_ts = "10.2.0.0/16";
  s.charon_remote_ts = "10.1.0.0/16";
  s.local_ts = {TrafficSelector::from_prefix(*Ipv4Prefix::parse("10.1.0.0/24"))};
  s.remote_ts = {TrafficSelector::from_prefix(*Ipv4Prefix::parse("10.2.0.0/16"))};
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  const ChildSa& c = sa()->children()[0];
  EXPECT_EQ(ts_strings(c.local_ts), (std::vector<std::string>{"10.1.0.0/24"}));
  EXPECT_EQ(ts_strings(c.remote_ts), (std::vector<std::string>{"10.2.0.0/16"}));
  CommandResult list = peer_->swanctl("--list-sas");
  EXPECT_NE(list.output.find("remote 10.1.0.0/24"), std::string::npos) << list.output;
}

// Lifetimes and DPD differ per end, as they do between two vendors: charon rekeys its
// CHILD_SA every 3 s and its IKE_SA every 5 s and probes every second; vpnlab keeps the
// clouds' hour-long lifetimes and its own DPD. Everything stays up with one CHILD_SA.
TEST_F(StrongSwanNegotiation, DifferentLifetimesAndDpdOnEachEnd) {
  InteropSetup s;
  s.charon_conn_extra = "rekey_time = 5s\n over_time = 2s\n rand_time = 0s\n";
  s.charon_child_extra = "rekey_time = 3s\n life_time = 5s\n rand_time = 0s\n";
  s.charon_dpd_s = 1;
  s.timers.dpd_interval = std::chrono::seconds(2);
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  // charon rekeys as initiator: count the distinct SAs vpnlab held.
  std::set<std::uint64_t> ike_spis;
  std::set<std::uint32_t> child_spis;
  ASSERT_TRUE(run_until(
      [&] {
        for (IkeSa* sa : manager_->sas_for("tunnel1")) {
          ike_spis.insert(sa->local_spi().value);
          for (const ChildSa& c : sa->children()) child_spis.insert(c.inbound.value);
        }
        return ike_spis.size() >= 2 && child_spis.size() >= 3;
      },
      20))
      << ike_spis.size() << " IKE_SAs, " << child_spis.size() << " CHILD_SAs";
  // Let charon's last DELETE settle, then both ends agree on one IKE_SA, one CHILD_SA.
  run_until([] { return false; }, 1);
  ASSERT_TRUE(run_until([&] { return sa() && sa()->children().size() == 1; }, 5));
  expect_child_matches_charon();
  EXPECT_FALSE(saw(EventKind::peer_dead));
}

// The second failure, with charon as the restarting peer: charon crashes (no
// DELETE) and initiates again with INITIAL_CONTACT. vpnlab drops the stale IKE_SA at once;
// traffic crosses the new CHILD_SA.
TEST_F(StrongSwanNegotiation, CharonRestartsAndItsInitialContactReplacesTheStaleSa) {
  InteropSetup s;
  s.engine = true;
  ASSERT_NO_FATAL_FAILURE(start(s));
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  IkeSpi stale = sa()->local_spi();
  ASSERT_TRUE(peer_->crash_and_restart()) << peer_->error();
  r = swanctl_while_running("--initiate --child net --timeout 10");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  EXPECT_NE(sa()->local_spi(), stale);
  EXPECT_EQ(manager_->sas_for("tunnel1").size(), 1u);
  EXPECT_EQ(counters_.get("ike.initial_contact.deleted_sa").get(), 1u);
  CommandResult ping = ping_through_tunnel();
  EXPECT_EQ(ping.status, 0) << ping.output;
}

// vpnlab as the restarting peer: its gateway process dies and comes back, initiating with
// INITIAL_CONTACT; charon deletes the old IKE_SA instead of keeping two.
TEST_F(StrongSwanNegotiation, VpnlabRestartsAndCharonDropsTheStaleSa) {
  InteropSetup s;
  ASSERT_NO_FATAL_FAILURE(start(s));
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  ASSERT_NO_FATAL_FAILURE(restart_vpnlab(s));
  events_.clear();
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  CommandResult list;
  run_until(
      [&] {
        list = peer_->swanctl("--list-sas");
        std::size_t n = 0;
        for (std::size_t at = 0; (at = list.output.find("ESTABLISHED", at)) != std::string::npos;
             ++at)
          ++n;
        return n == 1;
      },
      5);
  std::size_t established = 0;
  for (std::size_t at = 0; (at = list.output.find("ESTABLISHED", at)) != std::string::npos; ++at)
    ++established;
  EXPECT_EQ(established, 1u) << list.output;
  expect_child_matches_charon();
}

}  // namespace
}  // namespace vpnlab::ike::test
