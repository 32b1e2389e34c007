// The RIB's storage: PrefixMap (open addressing, backward-shift erase), InternPool
// (hash-consed, reference-counted values) and Rib (per-prefix paths of every peer, with one
// attribute reference per path, released on withdraw / replace / peer clear).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "bgp/core/rib.hpp"

namespace vpnlab::bgp {
namespace {

Ipv4Prefix pfx(const char* s) {
  return *Ipv4Prefix::parse(s);
}

std::shared_ptr<const PathAttributes> attrs_with_med(std::uint32_t med) {
  auto a = std::make_shared<PathAttributes>();
  a->origin = Origin::igp;
  a->as_path = AsPath{{AsSegment{SegmentType::as_sequence, {Asn{64512}}}}};
  a->next_hop = *Ipv4Address::parse("169.254.21.1");
  a->med = med;
  return a;
}

TEST(BgpPrefixMap, MatchesStdMapThroughRandomInsertsAndErases) {
  // Erase moves entries of a probe run back into the hole; a mistake there loses or
  // duplicates entries, which the reference map catches.
  PrefixMap<std::uint32_t> m;
  std::map<Ipv4Prefix, std::uint32_t> ref;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    // Few distinct addresses, several lengths each: many collisions and equal addresses.
    Ipv4Prefix p{Ipv4Address{static_cast<std::uint32_t>(rng() % 3000) << 8},
                 static_cast<std::uint8_t>(16 + rng() % 9)};
    p.address = p.network();
    if (rng() % 3 == 0) {
      EXPECT_EQ(m.erase(p), ref.erase(p) == 1);
    } else {
      bool inserted = false;
      m.get_or_insert(p, &inserted) = static_cast<std::uint32_t>(i);
      EXPECT_EQ(inserted, ref.count(p) == 0);
      ref[p] = static_cast<std::uint32_t>(i);
    }
  }
  ASSERT_EQ(m.size(), ref.size());
  for (const auto& [p, v] : ref) {
    const auto* got = m.find(p);
    ASSERT_NE(got, nullptr) << p.to_string();
    EXPECT_EQ(*got, v);
  }
  std::size_t seen = 0;
  m.for_each([&](const Ipv4Prefix& p, std::uint32_t v) {
    ++seen;
    EXPECT_EQ(ref.at(p), v);
  });
  EXPECT_EQ(seen, ref.size());
  EXPECT_LE(m.size() * 8, m.capacity() * 7);  // the load ceiling holds
}

TEST(BgpPrefixMap, LengthIsPartOfTheKey) {
  PrefixMap<int> m;
  m.get_or_insert(pfx("10.0.0.0/8")) = 8;
  m.get_or_insert(pfx("10.0.0.0/16")) = 16;
  EXPECT_EQ(*m.find(pfx("10.0.0.0/8")), 8);
  EXPECT_EQ(*m.find(pfx("10.0.0.0/16")), 16);
  EXPECT_EQ(m.find(pfx("10.0.0.0/24")), nullptr);
  EXPECT_TRUE(m.erase(pfx("10.0.0.0/8")));
  EXPECT_FALSE(m.erase(pfx("10.0.0.0/8")));
  EXPECT_EQ(*m.find(pfx("10.0.0.0/16")), 16);
}

TEST(BgpInternPool, EqualValuesShareOneCountedCopy) {
  AttrPool pool;
  InternId a = pool.intern(attrs_with_med(10));
  InternId b = pool.intern(attrs_with_med(10));  // a different object, equal value
  InternId c = pool.intern(attrs_with_med(20));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(pool.refs(a), 2u);
  EXPECT_EQ(pool.size(), 2u);
  pool.unref(a);
  EXPECT_EQ(pool.size(), 2u);
  pool.unref(b);
  EXPECT_EQ(pool.size(), 1u);  // the last reference frees the set...
  InternId d = pool.intern(attrs_with_med(30));
  EXPECT_EQ(d, a);  // ...and its slot is reused
  EXPECT_EQ(*pool.get(d)->med, 30u);
  EXPECT_NE(pool.intern(attrs_with_med(10)), c);  // the freed value is not found any more
}

TEST(BgpRib, OneAttributeReferencePerPathReleasedOnWithdraw) {
  Rib rib;
  InternId shared = rib.attrs().intern(attrs_with_med(0));  // as BgpCore::on_update does
  for (int i = 0; i < 100; ++i) {
    rib.attrs().ref(shared);
    Ipv4Prefix p{Ipv4Address{0x14000000u + (static_cast<std::uint32_t>(i) << 8)}, 24};
    EXPECT_EQ(rib.set(p, 0, shared), Rib::SetResult::added);
  }
  rib.attrs().unref(shared);
  EXPECT_EQ(rib.attrs().size(), 1u);
  EXPECT_EQ(rib.attrs().refs(shared), 100u);
  EXPECT_EQ(rib.count(0), 100u);
  EXPECT_EQ(rib.entries().size(), 100u);
  // The same set again is unchanged; a different one replaces and drops the old reference.
  rib.attrs().ref(shared);
  EXPECT_EQ(rib.set(pfx("20.0.0.0/24"), 0, shared), Rib::SetResult::unchanged);
  EXPECT_EQ(rib.attrs().refs(shared), 100u);
  InternId other = rib.attrs().intern(attrs_with_med(5));
  EXPECT_EQ(rib.set(pfx("20.0.0.0/24"), 0, other), Rib::SetResult::replaced);
  EXPECT_EQ(rib.attrs().refs(shared), 99u);
  EXPECT_EQ(rib.count(0), 100u);
  EXPECT_TRUE(rib.erase(pfx("20.0.0.0/24"), 0));
  EXPECT_FALSE(rib.erase(pfx("20.0.0.0/24"), 0));
  EXPECT_EQ(rib.attrs().size(), 1u);  // `other` went with its only path
  EXPECT_EQ(rib.clear(0).size(), 99u);
  EXPECT_EQ(rib.attrs().size(), 0u);
  EXPECT_EQ(rib.count(0), 0u);
}

TEST(BgpRib, PathsOfSeveralPeersAndStaleSweep) {
  Rib rib;
  Ipv4Prefix p = pfx("10.2.0.0/16");
  for (PeerIndex peer : {0, 1, 2}) rib.set(p, peer, rib.attrs().intern(attrs_with_med(peer)));
  rib.set(pfx("10.3.0.0/16"), 1, rib.attrs().intern(attrs_with_med(1)));
  EXPECT_EQ(rib.find(p)->size(), 3u);
  EXPECT_EQ(rib.mark_stale(1).size(), 2u);
  EXPECT_TRUE(rib.find(p, 1)->flags & kPathStale);
  EXPECT_FALSE(rib.find(p, 0)->flags & kPathStale);
  // RFC 4724 §4.2: a re-announced route is no longer stale and survives the sweep.
  rib.set(p, 1, rib.attrs().intern(attrs_with_med(1)));
  EXPECT_EQ(rib.sweep_stale(1), std::vector<Ipv4Prefix>{pfx("10.3.0.0/16")});
  EXPECT_EQ(rib.find(p)->size(), 3u);
  EXPECT_TRUE(rib.erase(p, 1));
  EXPECT_EQ(rib.find(p)->size(), 2u);
  EXPECT_TRUE(rib.erase(p, 0));
  ASSERT_EQ(rib.find(p)->size(), 1u);  // back from the Rib's list to the inline path
  EXPECT_EQ(rib.paths(*rib.find(p)).front().peer, 2);
  EXPECT_EQ(*rib.attrs().get(rib.paths(*rib.find(p)).front().attrs)->med, 2u);
  rib.drop_if_unused(pfx("10.3.0.0/16"));
  EXPECT_EQ(rib.find(pfx("10.3.0.0/16")), nullptr);
  EXPECT_EQ(rib.count(1), 0u);
  EXPECT_EQ(rib.attrs().size(), 1u);
}

}  // namespace
}  // namespace vpnlab::bgp
