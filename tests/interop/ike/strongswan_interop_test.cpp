// Interop with strongSwan 5.9 charon (kernel-libipsec) over a veth pair between two network
// namespaces (see charon_peer.hpp). Real IKEv2 datagrams both ways through the vpnlab IKE
// daemon: IKE_SA_INIT + IKE_AUTH with either side initiating, CHILD_SA and IKE_SA rekeys from
// both sides, and DELETE. The CHILD_SA SPIs and keys vpnlab hands to its (recording)
// SaInstaller are compared with what charon reports (swanctl --list-sas, and its key log at
// level 4), so a wrong prf+/SKEYSEED/KEYMAT byte fails the test.

#include "tests/interop/ike/interop_fixture.hpp"

namespace vpnlab::ike::test {
namespace {

class StrongSwanInterop : public StrongSwanInteropBase {
 protected:
  void SetUp() override {
    InteropSetup s;
    s.encap =
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).find("NatT") !=
        std::string::npos;
    start(s);
  }
};

TEST_F(StrongSwanInterop, VpnlabInitiatesCharonResponds) {
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  expect_child_matches_charon();
}

TEST_F(StrongSwanInterop, CharonInitiatesVpnlabResponds) {
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  expect_child_matches_charon();
}

// charon with encap = yes fakes a NAT: both sides move to UDP 4500 with the non-ESP marker
// (RFC 3948 2.2, RFC 7296 2.23) and the CHILD_SA is installed with UDP encapsulation.
// (charon 5.9.8 with kernel-libipsec does the same even with encap = no, since libipsec only
// does ESP in UDP, so every test here runs IKE_AUTH onwards over port 4500.)
TEST_F(StrongSwanInterop, NatTCharonInitiatesOverPort4500) {
  CommandResult r = swanctl_while_running("--initiate --child net --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && !sa()->children().empty(); }));
  expect_child_matches_charon();
  EXPECT_EQ(sa()->remote().port, 4500);
  EXPECT_GE(counters_.get("ike.natd.nat_detected").get(), 1u);
  const ChildSa& c = sa()->children()[0];
  EXPECT_TRUE(installer_.outbound.at(c.outbound.value).outer.udp_encap);
}

TEST_F(StrongSwanInterop, RekeysFromBothSidesAndDelete) {
  daemon_->connect("tunnel1");
  ASSERT_TRUE(run_until([&] { return saw(EventKind::child_established); }));
  // charon rekeys the CHILD_SA: vpnlab answers, then charon deletes the old one.
  esp::Spi first = sa()->children()[0].inbound;
  CommandResult r = swanctl_while_running("--rekey --child net");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] {
    return sa() && sa()->children().size() == 1 && sa()->children()[0].inbound != first;
  }));
  expect_child_matches_charon();
  // vpnlab rekeys the CHILD_SA.
  esp::Spi second = sa()->children()[0].inbound;
  daemon_->apply(
      manager_->with_sa(sa()->local_spi(), [&](IkeSa& s) { return s.rekey_child(second); }));
  ASSERT_TRUE(run_until([&] {
    return sa() && sa()->children().size() == 1 && sa()->children()[0].inbound != second;
  }));
  expect_child_matches_charon();
  // charon rekeys the IKE_SA, then vpnlab does.
  IkeSpi ike1 = sa()->local_spi();
  r = swanctl_while_running("--rekey --ike s2s");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return sa() && sa()->local_spi() != ike1; }));
  IkeSpi ike2 = sa()->local_spi();
  daemon_->apply(manager_->with_sa(ike2, [](IkeSa& s) { return s.rekey_ike(); }));
  ASSERT_TRUE(run_until([&] { return sa() && sa()->local_spi() != ike2; }));
  expect_child_matches_charon();
  // The rekeyed IKE_SA still protects exchanges: a liveness check, then charon's DELETE.
  daemon_->apply(manager_->with_sa(sa()->local_spi(), [](IkeSa& s) { return s.send_dpd(); }));
  ASSERT_TRUE(run_until([&] { return counters_.get("ike.dpd.sent").get() >= 1; }));
  r = swanctl_while_running("--terminate --ike s2s --timeout 10");
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_TRUE(run_until([&] { return manager_->size() == 0; }));
  EXPECT_TRUE(installer_.inbound.empty());
  EXPECT_TRUE(saw(EventKind::ike_closed));
}

}  // namespace
}  // namespace vpnlab::ike::test
