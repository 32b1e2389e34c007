// CREATE_CHILD_SA: CHILD_SA rekey with and without PFS (RFC 7296 1.3.3), IKE_SA rekey
// (1.3.2, 2.18), each checked on both peers' SA states and on the fake SaInstaller.

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

void establish(Lab& lab) {
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
}

/// Exactly one CHILD_SA per side, the two matching, and nothing else installed.
void expect_single_matching_pair(Lab& lab) {
  ASSERT_EQ(lab.left.sa()->children().size(), 1u);
  ASSERT_EQ(lab.right.sa()->children().size(), 1u);
  const ChildSa& l = lab.left.sa()->children()[0];
  const ChildSa& r = lab.right.sa()->children()[0];
  EXPECT_EQ(l.outbound, r.inbound);
  EXPECT_EQ(l.inbound, r.outbound);
  EXPECT_EQ(lab.left.installer.inbound.size(), 1u);
  EXPECT_EQ(lab.left.installer.outbound.size(), 1u);
  EXPECT_EQ(lab.right.installer.inbound.size(), 1u);
  EXPECT_EQ(lab.right.installer.outbound.size(), 1u);
  EXPECT_TRUE(
      lab.left.installer.outbound.at(l.outbound.value)
          .keys.encr_key.equals(lab.right.installer.inbound.at(r.inbound.value).keys.encr_key));
  EXPECT_TRUE(
      lab.right.installer.outbound.at(r.outbound.value)
          .keys.encr_key.equals(lab.left.installer.inbound.at(l.inbound.value).keys.encr_key));
  EXPECT_EQ(lab.left.installer.active_outbound["tunnel1"], l.outbound.value);
  EXPECT_EQ(lab.right.installer.active_outbound["tunnel1"], r.outbound.value);
}

class ChildRekey : public ::testing::TestWithParam<DhGroup> {};

TEST_P(ChildRekey, MakeBeforeBreakOnBothPeers) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.child_proposals[0].dh = r.child_proposals[0].dh = GetParam();
  Lab lab(l, r);
  establish(lab);
  ASSERT_TRUE(lab.established());
  esp::Spi old_in = lab.left.sa()->children()[0].inbound;
  esp::Spi old_out = lab.left.sa()->children()[0].outbound;
  // HDR, SK {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr} -->
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [&](IkeSa& sa) { return sa.rekey_child(old_in); }));
  lab.deliver(1);
  // The responder installed the new pair but still sends on the old SA until the DELETE.
  EXPECT_EQ(lab.right.installer.active_outbound["tunnel1"], old_in.value);
  EXPECT_EQ(lab.right.installer.inbound.size(), 2u);
  // <-- HDR, SK {SA, Nr, [KEr], TSi, TSr}; HDR, SK {D(old)} --> ; <-- HDR, SK {D(old)}
  lab.deliver();
  // The old outbound SAs are gone; the old inbound ones take late packets for the grace.
  EXPECT_EQ(lab.left.installer.outbound.count(old_out.value), 0u);
  EXPECT_EQ(lab.left.installer.inbound.count(old_in.value), 1u);
  EXPECT_EQ(lab.right.installer.inbound.count(old_out.value), 1u);
  lab.advance(std::chrono::seconds(5));
  expect_single_matching_pair(lab);
  EXPECT_NE(lab.left.sa()->children()[0].inbound, old_in);
  EXPECT_NE(lab.left.sa()->children()[0].outbound, old_out);
  EXPECT_TRUE(lab.left.saw(EventKind::child_rekeyed));
  EXPECT_FALSE(lab.left.saw(EventKind::child_deleted));
  EXPECT_EQ(lab.left.sa()->children()[0].suite.dh, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Pfs, ChildRekey,
                         ::testing::Values(DhGroup::none, DhGroup::modp_2048, DhGroup::ecp_256,
                                           DhGroup::curve25519));

// RFC 7296 1.3: the responder wants PFS the initiator did not send a KE for (Azure's
// rekey against AWS: Azure offers no-PFS suites first, AWS takes only PFS ones). The answer
// INVALID_KE_PAYLOAD names the group; the initiator retries in a new CREATE_CHILD_SA.
TEST(ChildRekey, RetriesWithTheGroupTheResponderAsksFor) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  ChildSuite pfs = l.child_proposals[0];
  pfs.dh = DhGroup::ecp_256;
  l.child_proposals.push_back(pfs);  // [no PFS, ECP-256]
  r.child_proposals = {pfs};         // PFS only
  Lab lab(l, r);
  establish(lab);
  esp::Spi old_in = lab.left.sa()->children()[0].inbound;
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [&](IkeSa& sa) { return sa.rekey_child(old_in); }));
  lab.deliver();
  lab.advance(std::chrono::seconds(5));
  EXPECT_EQ(lab.right.counter("ike.child.invalid_ke_sent"), 1u);
  EXPECT_EQ(lab.right.counter("ike.child.rejected"), 0u);
  EXPECT_EQ(lab.left.counter("ike.child.invalid_ke_retry"), 1u);
  EXPECT_EQ(lab.left.counter("ike.child.create_failed"), 0u);
  expect_single_matching_pair(lab);
  EXPECT_NE(lab.left.sa()->children()[0].inbound, old_in);
  EXPECT_EQ(lab.left.sa()->children()[0].suite.dh, DhGroup::ecp_256);
  // Message IDs stayed in step: a later exchange still works.
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& sa) { return sa.send_dpd(); }));
  lab.deliver();
  EXPECT_EQ(lab.left.counter("ike.tx.retransmits"), 0u);
}

TEST(ChildRekeyTimer, SoftLifetimeTriggersRekeyWithinFuzzWindow) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.time_factor = r.time_factor = 0.001;                 // 3600 s -> 3.6 s of virtual time
  r.timers.child_lifetime = std::chrono::seconds(7200);  // only the left rekeys
  r.timers.ike_lifetime = l.timers.ike_lifetime = std::chrono::seconds(100000);
  l.timers.dpd_interval = r.timers.dpd_interval = std::chrono::seconds(100000);
  Lab lab(l, r);
  establish(lab);
  ASSERT_TRUE(lab.established());
  esp::Spi first = lab.left.sa()->children()[0].inbound;
  // cloud-facts: "Rekey margin time" 540 s, "Rekey fuzz" 100 %: rekey in [2520 s, 3060 s].
  lab.advance(Duration(2519));
  EXPECT_EQ(lab.left.sa()->children()[0].inbound, first);
  lab.advance(Duration(3060 - 2519));
  EXPECT_NE(lab.left.sa()->children()[0].inbound, first);
  // The old inbound SA keeps decrypting for the grace (1 s: the time factor does not shorten
  // it further), then only the new pair is left.
  lab.advance(l.rekeyed_inbound_grace());
  expect_single_matching_pair(lab);
}

TEST(IkeRekey, ChildrenMoveToTheNewIkeSa) {
  Lab lab;
  establish(lab);
  ASSERT_TRUE(lab.established());
  IkeSpi old_left = lab.left.sa()->local_spi();
  IkeSpi old_right = lab.right.sa()->local_spi();
  esp::Spi child = lab.left.sa()->children()[0].inbound;
  // HDR, SK {SA(new SPIi), Ni, KEi} --> ; <-- HDR, SK {SA(new SPIr), Nr, KEr};
  // HDR(old), SK {D(IKE)} --> ; <-- HDR(old), SK {}
  lab.apply(lab.left,
            lab.left.manager->with_sa(old_left, [](IkeSa& sa) { return sa.rekey_ike(); }));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.manager->size(), 1u);
  EXPECT_EQ(lab.right.manager->size(), 1u);
  EXPECT_NE(lab.left.sa()->local_spi(), old_left);
  EXPECT_NE(lab.right.sa()->local_spi(), old_right);
  EXPECT_EQ(lab.left.sa()->spi_i(), lab.right.sa()->spi_i());
  EXPECT_EQ(lab.left.sa()->spi_r(), lab.right.sa()->spi_r());
  EXPECT_TRUE(lab.left.saw(EventKind::ike_rekeyed));
  EXPECT_FALSE(lab.left.saw(EventKind::ike_closed));
  ASSERT_EQ(lab.left.sa()->children().size(), 1u);
  EXPECT_EQ(lab.left.sa()->children()[0].inbound, child);
  expect_single_matching_pair(lab);
  // The new IKE_SA works: its keys protect a CHILD_SA rekey (message IDs restart at 0).
  lab.apply(lab.right, lab.right.manager->with_sa(lab.right.sa()->local_spi(), [&](IkeSa& sa) {
    return sa.rekey_child(sa.children()[0].inbound);
  }));
  lab.deliver();
  lab.advance(std::chrono::seconds(5));  // the rekeyed inbound SAs' grace
  expect_single_matching_pair(lab);
  EXPECT_NE(lab.left.sa()->children()[0].inbound, child);
}

// A CHILD_SA's rekey timer fires while the IKE_SA rekey is in flight: the CREATE_CHILD_SA
// waits in the old IKE_SA's queue, which the IKE_SA rekey drops. The CHILD_SA must still be
// rekeyed by its timer on the new IKE_SA (found by scripts/soak.sh: CHILD_SA every 2 s, IKE_SA
// every 6 s, the timers meet every third CHILD_SA rekey).
TEST(IkeRekey, ChildRekeyQueuedBehindItIsNotLost) {
  Lab lab;
  establish(lab);
  ASSERT_TRUE(lab.established());
  esp::Spi child = lab.left.sa()->children()[0].inbound;
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& sa) { return sa.rekey_ike(); }));
  ASSERT_TRUE(lab.fire(lab.left, TimerKind::child_rekey));  // queued behind the IKE_SA rekey
  lab.deliver();
  ASSERT_TRUE(lab.established());
  ASSERT_EQ(lab.left.sa()->children().size(), 1u);
  EXPECT_EQ(lab.left.sa()->children()[0].state, ChildState::installed);
  ASSERT_TRUE(lab.fire(lab.left, TimerKind::child_rekey));  // armed again on the new IKE_SA
  lab.deliver();
  lab.advance(std::chrono::seconds(5));  // the rekeyed inbound SAs' grace
  ASSERT_EQ(lab.left.sa()->children().size(), 1u);
  EXPECT_NE(lab.left.sa()->children()[0].inbound, child);
  expect_single_matching_pair(lab);
}

}  // namespace
}  // namespace vpnlab::ike::test

namespace vpnlab::ike::test {
namespace {

// The grace of a rekeyed inbound SA ends early when its IKE_SA goes: nothing is left
// behind in the dataplane (and an IKE_SA rekey hands the pending removal over).
/// The left rekeys its CHILD_SA, then the IKE_SA; returns the rekeyed CHILD_SA's inbound SPI.
esp::Spi rekey_child_then_ike(Lab& lab) {
  esp::Spi old_in = lab.left.sa()->children()[0].inbound;
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [&](IkeSa& sa) { return sa.rekey_child(old_in); }));
  lab.deliver();
  EXPECT_EQ(lab.left.installer.inbound.count(old_in.value), 1u);
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& sa) { return sa.rekey_ike(); }));
  lab.deliver();
  EXPECT_TRUE(lab.established());
  return old_in;
}

TEST(ChildRekeyGrace, RetiredInboundLeavesWithTheIkeSa) {
  Lab lab;
  establish(lab);
  esp::Spi old_in = rekey_child_then_ike(lab);
  EXPECT_EQ(lab.left.installer.inbound.count(old_in.value), 1u);
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& sa) { return sa.close(); }));
  lab.deliver();
  EXPECT_EQ(lab.left.manager->size(), 0u);
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  EXPECT_TRUE(lab.left.installer.outbound.empty());
  EXPECT_TRUE(lab.right.installer.inbound.empty());
}

TEST(ChildRekeyGrace, IkeRekeyCarriesThePendingRemoval) {
  Lab lab;
  establish(lab);
  esp::Spi old_in = rekey_child_then_ike(lab);
  lab.advance(std::chrono::seconds(5));
  EXPECT_EQ(lab.left.installer.inbound.count(old_in.value), 0u);
  EXPECT_EQ(lab.left.installer.inbound.size(), 1u);
}

}  // namespace
}  // namespace vpnlab::ike::test
