#pragma once
// Two gateways' dataplanes in one process over fake devices (wireguard-go tuntest/bindtest):
//
//   host A -> FakeTun "tA" -> [Dataplane A] -> FakeSocket 192.0.2.1:4500 / raw 192.0.2.1
//                                                   | FakeNetwork (tap: capture/corrupt)
//   host B <- FakeTun "tB" <- [Dataplane B] <- FakeSocket 192.0.2.2:4500 / raw 192.0.2.2
//
// SAs are installed with fixed keys: A->B uses SPI 0x1001, B->A uses SPI 0x2002.

#include <memory>

#include "dataplane/core/dataplane.hpp"
#include "dataplane/core/fake_devices.hpp"
#include "dataplane/core/inbound.hpp"
#include "dataplane/core/outbound.hpp"
#include "packet_builders.hpp"

namespace vpnlab::dataplane::testing {

inline esp::SuiteId gcm256() {
  return {esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
}
inline esp::SuiteId cbc256_sha256() {
  return {esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_256_128};
}

/// Deterministic keys for a suite: byte i of the key is seed + i.
inline esp::SaKeys test_keys(const esp::SuiteId& suite, std::uint8_t seed) {
  Bytes e(esp::encr_keymat_size(suite)), a(esp::integ_keymat_size(suite.integ));
  for (std::size_t i = 0; i < e.size(); ++i) e[i] = static_cast<std::uint8_t>(seed + i);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(seed * 3 + i);
  return esp::SaKeys{SecretBytes(e), SecretBytes(a)};
}

struct Gateway {
  Gateway(FakeNetwork& net, Ipv4Address outer, const char* tunnel_name, std::uint16_t mss)
      : udp(net, Endpoint{outer, 4500}, true),
        raw(net, Endpoint{outer, 0}, false),
        ike(net, Endpoint{outer, 500}, true) {
    dp.add_socket(udp, udp.local(), SocketRole::esp_udp);
    dp.add_socket(raw, raw.local(), SocketRole::esp_raw);
    dp.add_socket(ike, ike.local(), SocketRole::ike);
    tunnel = dp.add_tunnel(tunnel_name, tun, mss);
    out = std::make_unique<OutboundWorker>(dp, std::vector<TunnelId>{tunnel},
                                           WorkerBuffers{64, 2048, 8});
    in = std::make_unique<InboundWorker>(dp, WorkerBuffers{64, 2048, 8});
  }
  std::size_t step() { return out->run_once() + in->run_once(); }
  const TunnelCounters& counters() const { return dp.tunnel(tunnel).counters; }

  Dataplane dp;
  FakeTun tun{8};
  FakeSocket udp, raw, ike;
  TunnelId tunnel;
  std::unique_ptr<OutboundWorker> out;
  std::unique_ptr<InboundWorker> in;
};

struct TwoGateways {
  TwoGateways() : a(net, ip("192.0.2.1"), "tA", 1398), b(net, ip("192.0.2.2"), "tB", 1398) {}

  SaConfig sa(std::uint32_t spi, const esp::SuiteId& suite, bool from_a, bool udp) {
    SaConfig c;
    c.spi = esp::Spi{spi};
    c.suite = suite;
    c.keys = test_keys(suite, static_cast<std::uint8_t>(spi));
    c.outer.local = from_a ? ip("192.0.2.1") : ip("192.0.2.2");
    c.outer.remote = from_a ? ip("192.0.2.2") : ip("192.0.2.1");
    c.outer.udp_encap = udp;
    return c;
  }
  /// Installs and switches the pair A->B (spi_ab) and B->A (spi_ba).
  void install(std::uint32_t spi_ab, std::uint32_t spi_ba, const esp::SuiteId& suite, bool udp) {
    ASSERT_TRUE(b.dp.add_inbound("tB", sa(spi_ab, suite, true, udp)));
    ASSERT_TRUE(a.dp.add_inbound("tA", sa(spi_ba, suite, false, udp)));
    ASSERT_TRUE(a.dp.add_outbound("tA", sa(spi_ab, suite, true, udp)));
    ASSERT_TRUE(b.dp.add_outbound("tB", sa(spi_ba, suite, false, udp)));
    ASSERT_TRUE(a.dp.switch_outbound("tA", esp::Spi{spi_ab}));
    ASSERT_TRUE(b.dp.switch_outbound("tB", esp::Spi{spi_ba}));
  }
  /// Runs both dataplanes until nothing moves.
  void pump() {
    for (int i = 0; i < 1000; ++i) {
      if (a.step() + b.step() == 0) return;
    }
    FAIL() << "dataplanes did not settle";
  }

  FakeNetwork net;
  Gateway a, b;
};

inline Bytes host_a_to_b(std::size_t len, std::uint8_t fill = 0) {
  return udp4_packet(ip("10.1.0.2"), ip("10.2.0.2"), len, fill);
}
inline Bytes host_b_to_a(std::size_t len, std::uint8_t fill = 0) {
  return udp4_packet(ip("10.2.0.2"), ip("10.1.0.2"), len, fill);
}

}  // namespace vpnlab::dataplane::testing
