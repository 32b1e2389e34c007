// INFORMATIONAL exchanges (RFC 7296 1.4): CHILD_SA and IKE_SA deletion, liveness checks
// (2.4) and the DPD timeout with the AWS DPDTimeoutAction values and the Azure connection
// modes; retransmission with back-off, give-up and the response cache (2.1).

#include <gtest/gtest.h>

#include "ike/core/cloud_profiles.hpp"
#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

void establish(Lab& lab) {
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
}

TEST(Delete, ChildSaDeleteRemovesBothDirectionsOnBothPeers) {
  Lab lab;
  establish(lab);
  ASSERT_TRUE(lab.established());
  esp::Spi in = lab.left.sa()->children()[0].inbound;
  // HDR, SK {D(ESP, SPI)} --> ; <-- HDR, SK {D(ESP, SPI')}
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [&](IkeSa& sa) { return sa.delete_child(in); }));
  lab.deliver();
  EXPECT_TRUE(lab.left.sa()->children().empty());
  EXPECT_TRUE(lab.right.sa()->children().empty());
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  EXPECT_TRUE(lab.left.installer.outbound.empty());
  EXPECT_TRUE(lab.right.installer.inbound.empty());
  EXPECT_TRUE(lab.right.installer.outbound.empty());
  EXPECT_TRUE(lab.left.saw(EventKind::child_deleted));
  EXPECT_TRUE(lab.right.saw(EventKind::child_deleted));
  EXPECT_TRUE(lab.established());
}

TEST(Delete, IkeSaDeleteTakesTheChildSasAlong) {
  Lab lab;
  establish(lab);
  ASSERT_TRUE(lab.established());
  // HDR, SK {D(IKE)} --> ; <-- HDR, SK {}
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& sa) { return sa.close(); }));
  lab.deliver();
  EXPECT_EQ(lab.left.manager->size(), 0u);
  EXPECT_EQ(lab.right.manager->size(), 0u);
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  EXPECT_TRUE(lab.right.installer.outbound.empty());
  EXPECT_TRUE(lab.left.saw(EventKind::ike_closed));
  EXPECT_TRUE(lab.right.saw(EventKind::ike_closed));
}

PeerConfig with_dpd(PeerConfig c, DpdAction action) {
  c.timers.dpd_interval = std::chrono::seconds(10);
  c.timers.dpd_timeout = std::chrono::seconds(30);
  c.dpd_action = action;
  return c;
}

TEST(Dpd, LivenessCheckIsAnswered) {
  Lab lab(with_dpd(lab_peer(true), DpdAction::clear), lab_peer(false));
  establish(lab);
  ASSERT_TRUE(lab.established());
  // HDR, SK {} --> ; <-- HDR, SK {}
  lab.advance(std::chrono::seconds(25));
  EXPECT_GE(lab.left.counter("ike.dpd.sent"), 2u);
  EXPECT_GE(lab.right.counter("ike.rx.liveness_check"), 2u);
  EXPECT_EQ(lab.left.counter("ike.dpd.timeout"), 0u);
  EXPECT_TRUE(lab.established());
}

struct DpdCase {
  const char* name;
  DpdAction action;
  ConnectionMode mode;
  bool expect_restart;
};

class DpdTimeout : public ::testing::TestWithParam<DpdCase> {};

TEST_P(DpdTimeout, PeerSilentAfterEstablishment) {
  PeerConfig l = with_dpd(lab_peer(true), GetParam().action);
  l.mode = GetParam().mode;
  Lab lab(l, lab_peer(false));
  if (GetParam().mode == ConnectionMode::responder_only) {
    // Azure ResponderOnly: the peer dials in.
    lab.apply(lab.right, lab.right.manager->connect("tunnel1"));
    lab.deliver();
  } else {
    establish(lab);
  }
  ASSERT_TRUE(lab.established());
  lab.filter = [](Datagram&, bool) { return false; };  // the peer vanishes
  lab.advance(std::chrono::seconds(45));
  if (GetParam().action == DpdAction::none) {
    // cloud-facts: "DPD timeout action" none: do nothing [A-TUN].
    EXPECT_EQ(lab.left.manager->size(), 1u);
    return;
  }
  EXPECT_TRUE(lab.left.saw(EventKind::peer_dead) || lab.left.saw(EventKind::retransmit_give_up));
  // cloud-facts: clear ends the IKE session, tunnel down [A-TUN].
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  bool restarted = false;
  for (IkeSa* sa : lab.left.manager->sas_for("tunnel1")) {
    restarted |= sa->is_initiator() && sa->state() == IkeState::connecting;
  }
  EXPECT_EQ(restarted, GetParam().expect_restart);
}

INSTANTIATE_TEST_SUITE_P(
    Actions, DpdTimeout,
    ::testing::Values(DpdCase{"clear", DpdAction::clear, ConnectionMode::default_mode, false},
                      DpdCase{"restart", DpdAction::restart, ConnectionMode::default_mode, true},
                      DpdCase{"none", DpdAction::none, ConnectionMode::default_mode, false},
                      // cloud-facts: "Connection modes" ResponderOnly never initiates [Z-MODE].
                      DpdCase{"restart_responder_only", DpdAction::restart,
                              ConnectionMode::responder_only, false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConnectionModes, ResponderOnlyNeverInitiatesAndInitiatorOnlyRefusesPeers) {
  PeerConfig l = lab_peer(true);
  l.mode = ConnectionMode::responder_only;
  PeerConfig r = lab_peer(false);
  r.mode = ConnectionMode::initiator_only;
  Lab lab(l, r);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  EXPECT_EQ(lab.in_flight(), 0u);
  EXPECT_EQ(lab.left.counter("ike.connect.refused_responder_only"), 1u);
  // The InitiatorOnly side dials; the ResponderOnly side answers.
  lab.apply(lab.right, lab.right.manager->connect("tunnel1"));
  lab.deliver();
  EXPECT_TRUE(lab.established());
  // An InitiatorOnly gateway ignores IKE_SA_INIT from the peer.
  Lab lab2(lab_peer(true), r);
  lab2.apply(lab2.left, lab2.left.manager->connect("tunnel1"));
  lab2.deliver();
  EXPECT_EQ(lab2.right.counter("ike.rx.refused_initiator_only"), 1u);
  EXPECT_FALSE(lab2.established());
}

TEST(Retransmit, LostResponsesAreRetransmittedAndAnsweredFromCache) {
  Lab lab;
  int dropped = 0;
  lab.filter = [&](Datagram& d, bool from_left) {
    // Drop the first IKE_AUTH response twice (exchange type octet 18 = 35).
    if (!from_left && d.data[18] == 35 && dropped < 2) {
      ++dropped;
      return false;
    }
    return true;
  };
  establish(lab);
  EXPECT_FALSE(lab.established());
  lab.advance(std::chrono::seconds(4));  // first retransmit after 4 s
  lab.advance(std::chrono::seconds(8));  // second after 4 * 1.8 = 7.2 s more
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.counter("ike.tx.retransmits"), 2u);
  EXPECT_EQ(lab.right.counter("ike.rx.retransmitted_request"), 2u);
  // The responder answered from its cache: one CHILD_SA, not three.
  EXPECT_EQ(lab.right.installer.inbound.size(), 1u);
}

TEST(Retransmit, ExponentialBackOffThenGiveUp) {
  Lab lab;
  lab.filter = [](Datagram&, bool from_left) { return !from_left; };  // requests never arrive
  establish(lab);
  lab.advance(std::chrono::seconds(600));
  EXPECT_TRUE(lab.left.saw(EventKind::retransmit_give_up));
  EXPECT_EQ(lab.left.counter("ike.tx.retransmits"), 5u);
  EXPECT_EQ(lab.left.manager->size(), 0u);
  // RFC 7296 2.1 back-off: 4 s * 1.8^n (strongSwan defaults), 5 retransmits.
  std::vector<Duration> want = {Duration(4000),  Duration(7200),  Duration(12960),
                                Duration(23328), Duration(41990), Duration(75582)};
  EXPECT_EQ(lab.armed_delays(TimerKind::retransmit), want);
}

TEST(TimeFactor, ScalesEveryTimer) {
  PeerConfig l = lab_peer(true);
  l.time_factor = 0.01;
  Lab lab(l, lab_peer(false));
  lab.filter = [](Datagram&, bool from_left) { return !from_left; };
  establish(lab);
  EXPECT_EQ(lab.armed_delays(TimerKind::retransmit).at(0), Duration(40));
  lab.advance(std::chrono::seconds(6));
  EXPECT_TRUE(lab.left.saw(EventKind::retransmit_give_up));
}

TEST(CloudProfiles, AwsInitiatorAndAzureResponderAgree) {
  PeerConfig aws = aws_tunnel_defaults();
  PeerConfig azure = azure_defaults();
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  aws.tunnel = l.tunnel;
  aws.local = l.local;
  aws.remote = l.remote;
  aws.local_id = l.local_id;
  aws.remote_id = l.remote_id;
  aws.psk = l.psk;
  azure.tunnel = r.tunnel;
  azure.local = r.local;
  azure.remote = r.remote;
  azure.local_id = r.local_id;
  azure.remote_id = r.remote_id;
  azure.psk = r.psk;
  // cloud-facts §1.1 defaults [A-TUN] and §2.5 [Z-DEV, Z-FAQ-IPSEC].
  EXPECT_EQ(aws.timers.child_lifetime, std::chrono::seconds(3600));
  EXPECT_EQ(aws.timers.rekey_margin, std::chrono::seconds(540));
  EXPECT_EQ(aws.replay_window, 1024u);
  EXPECT_EQ(azure.timers.child_lifetime, std::chrono::seconds(27000));
  EXPECT_EQ(azure.timers.dpd_timeout, std::chrono::seconds(45));
  Lab lab(aws, azure);
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
  // The AWS offer list is long: IKE_AUTH needs IKE fragmentation (RFC 7383) to stay small.
  EXPECT_EQ(lab.left.sa()->children().size(), 1u);
}

}  // namespace
}  // namespace vpnlab::ike::test
