// RFC 4271 §9.1.2.2 decision process: one case per tie breaker, each naming the
// BestPathReason, plus multipath (ECMP) grouping.
#include <gtest/gtest.h>

#include "bgp/core/decision.hpp"
#include "bgp/core/policy.hpp"

namespace vpnlab::bgp {
namespace {

Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}

struct PathSpec {
  std::vector<std::uint32_t> as_path = {64512};
  bool as_set_tail = false;
  Origin origin = Origin::igp;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool ebgp = true;
  const char* router_id = "10.0.0.1";
  const char* peer = "169.254.21.1";
  bool local = false;
};

Path make(const PathSpec& s) {
  auto a = std::make_shared<PathAttributes>();
  AsPath p;
  AsSegment seq{SegmentType::as_sequence, {}};
  for (auto v : s.as_path) seq.asns.push_back(Asn{v});
  if (!seq.asns.empty()) p.segments.push_back(seq);
  if (s.as_set_tail) p.segments.push_back({SegmentType::as_set, {Asn{1}, Asn{2}, Asn{3}}});
  a->as_path = p;
  a->origin = s.origin;
  a->med = s.med;
  a->local_pref = s.local_pref;
  a->next_hop = ip(s.peer);
  return Path{*Ipv4Prefix::parse("10.2.0.0/16"), a,
              PathSource{ip(s.peer), ip(s.router_id), Asn{s.as_path.empty() ? 65000 : s.as_path[0]},
                         s.ebgp, s.local},
              false};
}

struct Case {
  const char* name;
  PathSpec better;
  PathSpec worse;
  BestPathReason reason;
};

TEST(BgpDecision, EachTieBreaker) {
  const std::vector<Case> cases = {
      {"local route first", {.local = true}, {}, BestPathReason::local_route},
      {"highest LOCAL_PREF", {.local_pref = 200}, {.local_pref = 100}, BestPathReason::local_pref},
      {"shortest AS_PATH", {}, {.as_path = {64512, 64512}}, BestPathReason::as_path_length},
      {"AS_SET counts one",
       {.as_path = {64512, 1}, .as_set_tail = false},
       {.as_path = {64512, 1}, .as_set_tail = true},
       BestPathReason::as_path_length},
      {"lowest ORIGIN",
       {.origin = Origin::igp},
       {.origin = Origin::incomplete},
       BestPathReason::origin},
      {"lowest MED same neighbour AS", {.med = 100}, {.med = 200}, BestPathReason::med},
      {"eBGP over iBGP", {}, {.ebgp = false}, BestPathReason::ebgp_over_ibgp},
      {"lowest router ID",
       {.router_id = "10.0.0.1"},
       {.router_id = "10.0.0.2", .peer = "169.254.22.1"},
       BestPathReason::router_id},
      {"lowest peer address",
       {.peer = "169.254.21.1"},
       {.peer = "169.254.22.1"},
       BestPathReason::peer_address},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Path a = make(c.better), b = make(c.worse);
    auto cmp = compare_paths(a, b);
    EXPECT_LT(cmp.result, 0);
    EXPECT_EQ(cmp.reason, c.reason);
    EXPECT_GT(compare_paths(b, a).result, 0);
    auto sel = select_best({&b, &a}, false);
    ASSERT_EQ(sel.paths.size(), 1u);
    EXPECT_EQ(sel.paths[0], &a);
    EXPECT_EQ(sel.reason, c.reason);
  }
}

TEST(BgpDecision, MedIgnoredAcrossNeighbourAses) {
  Path a = make({.as_path = {64512}, .med = 500});
  Path b = make({.as_path = {64513}, .med = 1, .router_id = "10.0.0.9", .peer = "169.254.22.1"});
  EXPECT_EQ(compare_by_med(a, b), 0);
  EXPECT_EQ(compare_paths(a, b).reason, BestPathReason::router_id);
}

TEST(BgpDecision, MultipathGroupsEqualPaths) {
  Path a = make({.peer = "169.254.21.1"});
  Path b = make({.router_id = "10.0.0.2", .peer = "169.254.22.1"});
  Path c = make({.as_path = {64512, 64512}, .peer = "169.254.23.1"});
  auto sel = select_best({&c, &b, &a}, true);
  ASSERT_EQ(sel.paths.size(), 2u);
  EXPECT_EQ(sel.paths[0], &a);
  EXPECT_EQ(sel.paths[1], &b);
  EXPECT_EQ(select_best({&c, &b, &a}, false).paths.size(), 1u);
}

TEST(BgpDecision, EmptyCandidates) {
  EXPECT_TRUE(select_best({}, true).empty());
}

TEST(BgpPolicy, ImportVerdicts) {
  ImportContext ctx{Asn{65515}, ip("169.254.21.2"), Asn{64512}, true};
  ImportPolicy pol;
  pol.reject_equal_to = {*Ipv4Prefix::parse("10.2.0.0/16")};
  EXPECT_EQ(check_import(make({}), ctx, pol), ImportVerdict::equal_to_reserved);
  pol.reject_equal_to.clear();
  EXPECT_EQ(check_import(make({}), ctx, pol), ImportVerdict::accept);
  EXPECT_EQ(check_import(make({.as_path = {64512, 65515}}), ctx, pol), ImportVerdict::as_loop);
  EXPECT_EQ(check_import(make({.as_path = {64999}}), ctx, pol), ImportVerdict::first_as_mismatch);
  EXPECT_EQ(check_import(make({.peer = "169.254.21.2"}), ctx, pol),
            ImportVerdict::next_hop_is_self);
}

TEST(BgpPolicy, ExportRules) {
  ExportContext to_aws{Asn{65515}, ip("169.254.21.2"), ip("169.254.21.1"), true};
  ExportPolicy pol;
  pol.as_path_prepend = 1;
  pol.med = 50;
  Path learned = make({.med = 7, .local_pref = 300, .peer = "169.254.22.1"});
  auto out = export_attributes(learned, to_aws, pol);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->as_path->to_string(), "65515 65515 64512");
  EXPECT_EQ(out->next_hop, ip("169.254.21.2"));
  EXPECT_EQ(out->med, 50u);       // RFC 4271 §5.1.4: not the learned MED
  EXPECT_FALSE(out->local_pref);  // §5.1.5
  // Split horizon: never back to the peer it came from.
  EXPECT_FALSE(export_attributes(make({.peer = "169.254.21.1"}), to_aws, pol));
  pol.never_advertise_default = true;
  Path dflt = make({.local = true});
  dflt.prefix = *Ipv4Prefix::parse("0.0.0.0/0");
  EXPECT_FALSE(export_attributes(dflt, to_aws, pol));
  pol.advertise_learned = false;
  EXPECT_FALSE(export_attributes(learned, to_aws, pol));
}

}  // namespace
}  // namespace vpnlab::bgp
