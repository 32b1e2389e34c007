// Collisions (RFC 7296 2.8.1, 2.25.1), one test per case:
//   1. both peers rekey the same CHILD_SA at once: the SA created with the lowest of the four
//      nonces is deleted by its creator, the other peer deletes the old SA;
//   2. a rekey request for a CHILD_SA the responder is deleting: TEMPORARY_FAILURE, then the
//      DELETE wins;
//   3. both peers rekey the IKE_SA at once: the responder whose own Ni is higher refuses with
//      TEMPORARY_FAILURE, so exactly one rekey completes (known deviation from 2.8.2, see
//      ike_rekey.cpp).

#include <gtest/gtest.h>

#include "tests/exchange/ike/lab.hpp"

namespace vpnlab::ike::test {
namespace {

void establish(Lab& lab) {
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  ASSERT_TRUE(lab.established());
}

Actions rekey_first_child(Side& side) {
  return side.manager->with_sa(side.sa()->local_spi(),
                               [](IkeSa& sa) { return sa.rekey_child(sa.children()[0].inbound); });
}

class SimultaneousChildRekey : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(SimultaneousChildRekey, OneSurvivingPairOnBothPeers) {
  Lab lab;
  // Different RNG streams give either peer the lowest nonce; both outcomes must converge.
  lab.left.rng = CountingRng(GetParam());
  establish(lab);
  ASSERT_TRUE(lab.established());
  esp::Spi old = lab.left.sa()->children()[0].inbound;
  // HDR, SK {N(REKEY_SA), SA, Ni1, ...} -->   <-- HDR, SK {N(REKEY_SA), SA, Ni2, ...}
  lab.apply(lab.left, rekey_first_child(lab.left));
  lab.apply(lab.right, rekey_first_child(lab.right));
  lab.deliver();
  lab.advance(std::chrono::seconds(5));  // the rekeyed inbound SAs' grace
  EXPECT_EQ(lab.left.counter("ike.child.rekey_collision"), 1u);
  EXPECT_EQ(lab.right.counter("ike.child.rekey_collision"), 1u);
  ASSERT_EQ(lab.left.sa()->children().size(), 1u);
  ASSERT_EQ(lab.right.sa()->children().size(), 1u);
  const ChildSa& l = lab.left.sa()->children()[0];
  const ChildSa& r = lab.right.sa()->children()[0];
  EXPECT_NE(l.inbound, old);
  EXPECT_EQ(l.outbound, r.inbound);
  EXPECT_EQ(l.inbound, r.outbound);
  EXPECT_EQ(lab.left.installer.inbound.size(), 1u);
  EXPECT_EQ(lab.right.installer.inbound.size(), 1u);
  EXPECT_EQ(lab.left.installer.outbound.size(), 1u);
  EXPECT_EQ(lab.right.installer.outbound.size(), 1u);
  EXPECT_EQ(lab.left.installer.active_outbound["tunnel1"], l.outbound.value);
  EXPECT_EQ(lab.right.installer.active_outbound["tunnel1"], r.outbound.value);
  EXPECT_TRUE(
      lab.left.installer.outbound.at(l.outbound.value)
          .keys.encr_key.equals(lab.right.installer.inbound.at(r.inbound.value).keys.encr_key));
}

INSTANTIATE_TEST_SUITE_P(NonceOrders, SimultaneousChildRekey,
                         ::testing::Values(1, 2, 3, 4, 5, 6, 7, 8));

TEST(Collisions, RekeyOfAChildSaBeingDeletedGetsTemporaryFailure) {
  Lab lab;
  establish(lab);
  ASSERT_TRUE(lab.established());
  esp::Spi left_in = lab.left.sa()->children()[0].inbound;
  esp::Spi right_in = lab.right.sa()->children()[0].inbound;
  // HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} -->   <-- HDR, SK {D(ESP)}
  lab.apply(lab.left, rekey_first_child(lab.left));
  lab.apply(lab.right, lab.right.manager->with_sa(lab.right.sa()->local_spi(), [&](IkeSa& sa) {
    return sa.delete_child(right_in);
  }));
  lab.deliver();
  // <-- HDR, SK {N(TEMPORARY_FAILURE)}; the DELETE removes the SA on both sides.
  EXPECT_EQ(lab.right.counter("ike.child.rejected"), 1u);
  EXPECT_EQ(lab.left.counter("ike.child.create_failed"), 1u);
  EXPECT_TRUE(lab.left.sa()->children().empty());
  EXPECT_TRUE(lab.right.sa()->children().empty());
  EXPECT_TRUE(lab.left.installer.inbound.empty());
  EXPECT_TRUE(lab.right.installer.outbound.empty());
  EXPECT_FALSE(lab.left.installer.inbound.count(left_in.value));
  EXPECT_TRUE(lab.established());
}

TEST(Collisions, SimultaneousIkeRekeyIsRefusedWithTemporaryFailure) {
  Lab lab;
  establish(lab);
  ASSERT_TRUE(lab.established());
  lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(),
                                                [](IkeSa& sa) { return sa.rekey_ike(); }));
  lab.apply(lab.right, lab.right.manager->with_sa(lab.right.sa()->local_spi(),
                                                  [](IkeSa& sa) { return sa.rekey_ike(); }));
  lab.deliver();
  // HDR, SK {SA, Ni1, KEi} -->   <-- HDR, SK {SA, Ni2, KEi}; one side answers
  // N(TEMPORARY_FAILURE), the other completes; exactly one new IKE_SA on each side.
  ASSERT_TRUE(lab.established());
  EXPECT_EQ(lab.left.manager->size(), 1u);
  EXPECT_EQ(lab.right.manager->size(), 1u);
  EXPECT_EQ(lab.left.sa()->spi_i(), lab.right.sa()->spi_i());
  EXPECT_EQ(lab.left.sa()->children().size(), 1u);
  EXPECT_EQ(lab.right.sa()->children().size(), 1u);
  EXPECT_EQ(lab.left.counter("ike.rekey.collision_refused") +
                lab.right.counter("ike.rekey.collision_refused"),
            1u);
}

}  // namespace
}  // namespace vpnlab::ike::test
