// INITIAL_CONTACT (RFC 7296 2.4): a peer that restarts (a CGW reboot, an AWS endpoint
// replacement) sends it in its first IKE_AUTH; the other end then drops its stale IKE_SAs
// with that identity and their CHILD_SAs at once, so the new CHILD_SA carries the tunnel
// instead of DPD taking the tunnel down under it later. Either end may be the one restarting.

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

struct Before {
  IkeSpi spi;
  esp::Spi in, out;
};

Before establish(Lab& lab) {
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  EXPECT_TRUE(lab.established());
  const IkeSa* sa = lab.right.sa();
  if (!sa || sa->children().empty()) return {};
  return {sa->local_spi(), sa->children()[0].inbound, sa->children()[0].outbound};
}

/// `side` holds exactly one IKE_SA, not `stale`, whose CHILD_SA carries the tunnel, and none
/// of the stale CHILD_SA's SPIs remain in its dataplane.
void expect_only_fresh(Side& side, const Before& stale) {
  ASSERT_EQ(side.manager->sas_for("tunnel1").size(), 1u);
  IkeSa* sa = side.sa();
  EXPECT_NE(sa->local_spi(), stale.spi);
  EXPECT_EQ(sa->state(), IkeState::established);
  ASSERT_EQ(sa->children().size(), 1u);
  EXPECT_EQ(side.installer.active_outbound["tunnel1"], sa->children()[0].outbound.value);
  EXPECT_EQ(side.installer.inbound.count(stale.in.value), 0u);
  EXPECT_EQ(side.installer.outbound.count(stale.out.value), 0u);
  EXPECT_EQ(side.counter("ike.initial_contact.deleted_sa"), 1u);
}

TEST(InitialContact, RestartedInitiatorReplacesTheStaleIkeSaOnTheResponder) {
  Lab lab;
  Before stale = establish(lab);
  std::size_t sent_before = lab.sent_by_right.size();
  lab.left.restart(lab_peer(true));
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  expect_only_fresh(lab.right, stale);
  // Silently: the restarted peer has nothing to DELETE. Right answered IKE_SA_INIT and
  // IKE_AUTH only.
  EXPECT_EQ(lab.sent_by_right.size(), sent_before + 2);
  EXPECT_TRUE(lab.right.saw(EventKind::ike_closed));
  // The stale SA's timers are gone with it: a long wait changes nothing.
  lab.advance(std::chrono::hours(1));
  EXPECT_EQ(lab.right.manager->sas_for("tunnel1").size(), 1u);
  EXPECT_EQ(lab.right.counter("ike.dpd.timeout"), 0u);
}

TEST(InitialContact, RestartedResponderInitiatingReplacesTheStaleSaOnTheOldInitiator) {
  Lab lab;
  establish(lab);
  const IkeSa* left_old = lab.left.sa();
  ASSERT_NE(left_old, nullptr);
  Before stale{left_old->local_spi(), left_old->children()[0].inbound,
               left_old->children()[0].outbound};
  lab.right.restart(lab_peer(false));
  lab.apply(lab.right, lab.right.manager->connect("tunnel1"));
  lab.deliver();
  expect_only_fresh(lab.left, stale);
}

TEST(InitialContact, NotSentWhileAnotherIkeSaWithThePeerIsUp) {
  Lab lab;
  establish(lab);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));  // a second IKE_SA on purpose
  lab.deliver();
  EXPECT_EQ(lab.right.manager->sas_for("tunnel1").size(), 2u);
  EXPECT_EQ(lab.right.counter("ike.initial_contact.deleted_sa"), 0u);
}

TEST(InitialContact, OnlyAnAuthenticatedPeerDeletesState) {
  Lab lab;
  Before stale = establish(lab);
  PeerConfig impostor = lab_peer(true);
  impostor.psk = SecretBytes(std::string_view("not-the-psk-999"));
  lab.left.restart(impostor);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_EQ(lab.right.manager->sas_for("tunnel1").size(), 1u);
  EXPECT_EQ(lab.right.sa()->local_spi(), stale.spi);
  EXPECT_EQ(lab.right.counter("ike.initial_contact.deleted_sa"), 0u);
  EXPECT_EQ(lab.right.installer.active_outbound["tunnel1"], stale.out.value);
}

}  // namespace
}  // namespace vpnlab::ike::test
