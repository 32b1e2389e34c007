#include "dataplane/linux/manual_config.hpp"

#include <gtest/gtest.h>

#include "recording_sa_installer.hpp"

namespace vpnlab::dataplane {
namespace {

constexpr const char* kGood = R"(# gateway A
tunnel vpn0
inside 169.254.10.1/30
local 192.0.2.1
remote 192.0.2.2
encap raw
suite aes256-sha256
in 0x2002 000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f 00112233
out 4097 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100 44556677
route 10.2.0.0/24   # the far LAN
mtu 1400
)";

TEST(ManualConfig, ParsesATunnelBlock) {
  auto r = parse_manual_config(kGood);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const ManualTunnel& t = (*r)[0];
  EXPECT_EQ(t.tunnel.name, "vpn0");
  EXPECT_EQ(t.tunnel.inside_address.to_string(), "169.254.10.1");
  EXPECT_EQ(t.tunnel.inside_length, 30);
  EXPECT_FALSE(t.tunnel.udp_encap);
  EXPECT_EQ(t.tunnel.suite.integ, esp::IntegAlgorithm::hmac_sha2_256_128);
  EXPECT_EQ(t.tunnel.mtu, 1400);
  ASSERT_EQ(t.tunnel.routes.size(), 1u);
  EXPECT_EQ(t.inbound.spi.value, 0x2002u);
  EXPECT_EQ(t.outbound.spi.value, 4097u);
  EXPECT_EQ(t.outbound.keys.encr_key.size(), 32u);
  EXPECT_EQ(t.outbound.keys.integ_key.size(), 4u);
  EXPECT_EQ(t.outbound.outer.remote.to_string(), "192.0.2.2");
  EXPECT_FALSE(t.outbound.outer.udp_encap);
  EXPECT_EQ(t.inbound.suite, t.tunnel.suite);
}

TEST(ManualConfig, ErrorsNameLineAndField) {
  struct Case {
    const char* name;
    std::string text;
    const char* expect;
  };
  std::vector<Case> cases = {
      {"before tunnel", "local 1.2.3.4\n", "line 1: 'local' before the first 'tunnel'"},
      {"bad address", "tunnel t\nlocal 1.2.3\n", "line 2: '1.2.3' is not an IPv4 address"},
      {"reserved spi", "tunnel t\nin 255 00\n", "line 2: SPI '255'"},
      {"bad hex", "tunnel t\nout 0x1000 zz\n", "line 2: encryption key of 'out' is not hex"},
      {"suite", "tunnel t\nsuite des\n", "line 2: unsupported suite 'des'"},
      {"encap", "tunnel t\nencap tcp\n", "line 2: encap 'tcp'"},
      {"keyword", "tunnel t\nfoo 1\n", "line 2: unknown keyword 'foo'"},
      {"missing", "tunnel t\nlocal 1.2.3.4\n", "tunnel t: local, remote, in and out are required"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_manual_config(c.text);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
  }
}

TEST(ManualConfig, InstallAddsInboundThenOutboundThenSwitches) {
  auto r = parse_manual_config(kGood);
  ASSERT_TRUE(r);
  testing::RecordingSaInstaller fake;
  ASSERT_TRUE(install_manual(fake, *r));
  using C = testing::RecordingSaInstaller::Call;
  ASSERT_EQ(fake.calls.size(), 3u);
  EXPECT_EQ(fake.calls[0].call, C::add_inbound);
  EXPECT_EQ(fake.calls[1].call, C::add_outbound);
  EXPECT_EQ(fake.calls[2].call, C::switch_outbound);
  EXPECT_EQ(fake.active.at("vpn0").value, 4097u);
}

}  // namespace
}  // namespace vpnlab::dataplane
