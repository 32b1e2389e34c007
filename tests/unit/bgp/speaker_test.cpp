// bgp/speaker: the stream deframer, the config file parser, and two Speakers talking over
// real loopback TCP on one io_context, installing routes into a recording RouteTable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "bgp/codec/message.hpp"
#include "bgp/speaker/config_file.hpp"
#include "bgp/speaker/deframer.hpp"

namespace vpnlab::bgp {
namespace {

TEST(BgpDeframer, SplitsAndJoinsMessages) {
  Bytes ka = encode_keepalive();
  Bytes rr = encode_route_refresh({});
  Bytes stream = ka;
  stream.insert(stream.end(), rr.begin(), rr.end());
  Deframer d;
  d.feed(ByteSpan(stream).first(10));
  EXPECT_FALSE(d.next());
  d.feed(ByteSpan(stream).subspan(10, 20));
  EXPECT_EQ(d.next(), ka);
  EXPECT_FALSE(d.next());
  d.feed(ByteSpan(stream).subspan(30));
  EXPECT_EQ(d.next(), rr);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(BgpDeframer, BadLengthYieldsHeaderThenStops) {
  Bytes bad = encode_keepalive();
  bad[16] = 0x20;  // Length 8211 > 4096
  Deframer d;
  d.feed(bad);
  auto m = d.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->size(), 19u);
  EXPECT_TRUE(d.broken());
  auto decoded = decode_message(*m, {});
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().notification.subcode, 2);  // Bad Message Length
}

TEST(BgpSpeakerConfig, ParsesPersonalityAndPeers) {
  auto cfg = parse_speaker_config(
      "asn 65515\npersonality azure\nnetwork 10.1.0.0/16  # the VNet\n"
      "peer 169.254.21.1 asn 64512 local 169.254.21.2 device vti0 hold 30 max-prefix 50\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_EQ(cfg->peers.size(), 1u);
  const auto& p = cfg->peers[0].peer;
  EXPECT_TRUE(p.session.passive);  // cloud-facts: "APIPA passivity" [Z-AWS-OLD]
  EXPECT_EQ(p.session.hold_time, Seconds(30));
  EXPECT_EQ(p.session.keepalive_time, Seconds(60));
  EXPECT_EQ(p.import.max_prefixes, 50u);
  EXPECT_EQ(p.import.reject_equal_to.size(), 1u);
  EXPECT_TRUE(p.export_policy.never_advertise_default);
  EXPECT_EQ(p.device, "vti0");
  EXPECT_EQ(cfg->core.router_id, *Ipv4Address::parse("169.254.21.2"));
}

TEST(BgpSpeakerConfig, ErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  for (const auto& c : std::vector<Case>{
           {"asn x\n", "line 1: asn 'x'"},
           {"asn 1\npersonality mars\n", "line 2: unknown personality"},
           {"asn 1\npeer 1.2.3.4 local 1.1.1.1\n", "needs an asn"},
           {"asn 1\npeer 1.2.3.4 asn 2 local 1.1.1.1 hold\n", "has no value"},
           {"network 10.0.0.0/8\n", "missing 'asn'"},
       }) {
    SCOPED_TRACE(c.text);
    auto cfg = parse_speaker_config(c.text);
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find(c.expect), std::string::npos) << cfg.error().message;
  }
}

class RecordingRouteTable : public dataplane::RouteTable {
 public:
  Result<void> replace(const Ipv4Prefix& p, const std::vector<dataplane::NextHop>& hops) override {
    routes[p] = hops;
    return {};
  }
  Result<void> remove(const Ipv4Prefix& p) override {
    routes.erase(p);
    return {};
  }
  std::map<Ipv4Prefix, std::vector<dataplane::NextHop>> routes;
};

SpeakerConfig loopback_config(const char* self, const char* peer, std::uint32_t asn,
                              std::uint32_t peer_asn, const char* network, bool passive,
                              std::uint16_t port) {
  auto cfg = parse_speaker_config("asn " + std::to_string(asn) + "\nnetwork " + network +
                                  "\npeer " + peer + " asn " + std::to_string(peer_asn) +
                                  " local " + self + " passive " + (passive ? "on" : "off") +
                                  " device lo\nport " + std::to_string(port) + "\n");
  return *cfg;
}

// Real TCP over loopback (127.0.0.1 <-> 127.0.0.2): the Asio glue, deframing and write
// queues carry a whole session; no timer needs to fire. 127/8 is never a valid NEXT_HOP
// (RFC 4271 §5.1.3), so the routes arrive and are treated as withdrawn (RFC 7606 §7.3): the
// FIB stays empty here; tests/interop/bgp installs real routes.
TEST(BgpSpeaker, TwoSpeakersOverLoopback) {
  std::uint16_t port = static_cast<std::uint16_t>(20000 + ::getpid() % 20000);
  boost::asio::io_context io;
  RecordingRouteTable rt_a, rt_b;
  Speaker a(io, loopback_config("127.0.0.1", "127.0.0.2", 65515, 64512, "10.1.0.0/16", true, port),
            &rt_a);
  Speaker b(io, loopback_config("127.0.0.2", "127.0.0.1", 64512, 65515, "10.2.0.0/16", false, port),
            &rt_b);
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  auto withdrawn = [&](const Speaker& s) {
    auto c = s.core().counters().snapshot();
    return c.count("bgp.update.treat_as_withdraw") > 0;
  };
  auto done = [&] { return withdrawn(a) && withdrawn(b); };
  for (int i = 0; i < 1000 && !done(); ++i) io.run_one_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(done());
  EXPECT_EQ(a.status().peers.at(0).state, BgpState::established);
  EXPECT_EQ(b.status().peers.at(0).state, BgpState::established);
  EXPECT_TRUE(rt_a.routes.empty());
  b.stop();
  auto closed = [&] { return a.status().peers.at(0).state != BgpState::established; };
  for (int i = 0; i < 1000 && !closed(); ++i) io.run_one_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(a.status().peers.at(0).last_error);
  EXPECT_EQ(a.status().peers.at(0).last_error->text, "received Cease/Administrative Shutdown");
}

}  // namespace
}  // namespace vpnlab::bgp
