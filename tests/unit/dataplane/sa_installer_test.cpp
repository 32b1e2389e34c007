// Dataplane as SaInstaller: SPI reservation and the errors of each call.

#include <gtest/gtest.h>

#include "dataplane/core/errors.hpp"
#include "two_gateways.hpp"

namespace vpnlab::dataplane {
namespace {

TEST(DataplaneSaInstaller, ReserveSpiSkipsReservedRangeAndDuplicates) {
  std::vector<std::uint32_t> values{0, 255, 300, 300, 0x1001, 400};
  std::size_t next = 0;
  Dataplane::Options opts;
  opts.random = [&] { return values[next++ % values.size()]; };
  Dataplane dp(opts);
  FakeTun tun;
  FakeNetwork net;
  FakeSocket udp(net, Endpoint{testing::ip("192.0.2.1"), 4500}, true);
  dp.add_socket(udp, udp.local(), SocketRole::esp_udp);
  dp.add_tunnel("t", tun, 0);
  testing::TwoGateways g;  // for sa()
  ASSERT_TRUE(dp.add_inbound("t", g.sa(0x1001, testing::gcm256(), false, true)));
  // RFC 4303 2.1: never 0..255; never one in use or reserved before.
  EXPECT_EQ(dp.reserve_spi()->value, 300u);
  EXPECT_EQ(dp.reserve_spi()->value, 400u);
}

TEST(DataplaneSaInstaller, ErrorsNameTheProblem) {
  testing::TwoGateways g;
  auto suite = testing::gcm256();
  EXPECT_EQ(g.a.dp.add_inbound("nope", g.sa(0x2002, suite, false, true)).error(),
            make_error_code(errc::unknown_tunnel));
  ASSERT_TRUE(g.a.dp.add_inbound("tA", g.sa(0x2002, suite, false, true)));
  EXPECT_EQ(g.a.dp.add_inbound("tA", g.sa(0x2002, suite, false, true)).error(),
            make_error_code(errc::spi_in_use));
  EXPECT_EQ(g.a.dp.switch_outbound("tA", esp::Spi{0x1001}).error(),
            make_error_code(errc::unknown_sa));
  auto far = g.sa(0x1001, suite, true, true);
  far.outer.local = testing::ip("198.51.100.7");  // no socket there
  EXPECT_EQ(g.a.dp.add_outbound("tA", std::move(far)).error(), make_error_code(errc::no_socket));
  auto bad_key = g.sa(0x1001, suite, true, true);
  bad_key.keys.encr_key = SecretBytes(Bytes(5, 1));
  EXPECT_EQ(g.a.dp.add_outbound("tA", std::move(bad_key)).error().category().name(),
            std::string("vpnlab.esp"));
  EXPECT_EQ(g.a.dp.remove("tA", SaDirection::outbound, esp::Spi{0x1001}).error(),
            make_error_code(errc::unknown_sa));
  EXPECT_EQ(g.a.dp.counters(SaDirection::outbound, esp::Spi{0x1001}).error(),
            make_error_code(errc::unknown_sa));
}

TEST(DataplaneSaInstaller, CountersMapNamesEveryNonZeroDrop) {
  testing::TwoGateways g;
  g.a.tun.inject(testing::host_a_to_b(10));
  g.pump();
  auto m = to_map(g.a.counters());
  EXPECT_EQ(m.at("dp.tx.drop.no_outbound_sa"), 1u);
  EXPECT_EQ(m.at("dp.tx.packets"), 0u);
  EXPECT_EQ(m.count("esp.rx.drop.replay"), 0u);
}

// The dataplane and the SA both have unknown_spi and too_short: each keeps its own key
// (dp.* / esp.*), where one "dp.rx.drop.unknown_spi" used to hide the other.
TEST(DataplaneSaInstaller, DataplaneAndSaDropsWithTheSameNameStayApart) {
  GlobalCounters g;
  g.rx.drop(DpDrop::unknown_spi);
  TunnelCounters t;
  t.rx.drop(esp::DropReason::unknown_spi);
  t.rx.drop(esp::DropReason::unknown_spi);
  t.rx.drop(DpDrop::unknown_spi);
  auto m = to_map(t);
  EXPECT_EQ(m.at("dp.rx.drop.unknown_spi"), 1u);
  EXPECT_EQ(m.at("esp.rx.drop.unknown_spi"), 2u);
  EXPECT_EQ(to_map(g).at("dp.rx.drop.unknown_spi"), 1u);
}

}  // namespace
}  // namespace vpnlab::dataplane
