// IKE control-plane costs: a full IKE_SA_INIT + IKE_AUTH between two in-process peers per DH
// group (what dominates tunnel setup and rekey storms), one CHILD_SA rekey, and the message
// codec (decode of a captured strongSwan IKE_SA_INIT; SK protect/unprotect of an
// INFORMATIONAL). Run: build-x/bench/ike/ike_bench --benchmark_min_time=0.5

#include <benchmark/benchmark.h>

#include "ike/codec/message.hpp"
#include "ike/core/ike_manager.hpp"
#include "ike/core/sk_cipher.hpp"
#include "tests/exchange/ike/fake_sa_installer.hpp"

namespace vpnlab::ike {
namespace {

PeerConfig peer(bool left, DhGroup g) {
  PeerConfig c;
  c.tunnel = "t";
  c.local = *Ipv4Address::parse(left ? "192.0.2.1" : "198.51.100.1");
  c.remote = *Ipv4Address::parse(left ? "198.51.100.1" : "192.0.2.1");
  c.local_id = IdPayload::ipv4(c.local);
  c.remote_id = IdPayload::ipv4(c.remote);
  c.psk = SecretBytes(std::string_view("bench-psk"));
  c.ike_proposals = {IkeSuite{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
                              PrfAlgorithm::hmac_sha2_256, g}};
  c.child_proposals = {
      ChildSuite{{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none}, DhGroup::none}};
  return c;
}

struct Pair {
  explicit Pair(DhGroup g) : l(lr, li, lc), r(rr, ri, rc) {
    l.add_peer(peer(true, g));
    r.add_peer(peer(false, g));
  }
  /// Delivers datagrams back and forth until both sides are quiet.
  void pump(Actions a, bool from_left) {
    std::vector<std::pair<Datagram, bool>> q;
    for (auto& d : a.send) q.emplace_back(std::move(d), from_left);
    while (!q.empty()) {
      auto [d, fl] = std::move(q.front());
      q.erase(q.begin());
      Actions b = (fl ? r : l).on_datagram(d);
      for (auto& x : b.send) q.emplace_back(std::move(x), !fl);
    }
  }
  OpenSslRng lr, rr;
  test::RecordingSaInstaller li{0xc0000100}, ri{0xd0000100};
  CounterSet lc, rc;
  IkeManager l, r;
};

void BM_IkeSaInitAndAuth(benchmark::State& state) {
  DhGroup g = static_cast<DhGroup>(state.range(0));
  for (auto _ : state) {
    Pair p(g);
    p.pump(p.l.connect("t"), true);
    if (p.l.sas_for("t").at(0)->state() != IkeState::established) state.SkipWithError("no SA");
  }
  state.SetLabel(std::to_string(state.range(0)));
}
BENCHMARK(BM_IkeSaInitAndAuth)->Arg(19)->Arg(31)->Arg(14)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_ChildRekey(benchmark::State& state) {
  Pair p(DhGroup::ecp_256);
  p.pump(p.l.connect("t"), true);
  IkeSa* sa = p.l.sas_for("t").at(0);
  for (auto _ : state) {
    p.pump(p.l.with_sa(sa->local_spi(),
                       [](IkeSa& s) { return s.rekey_child(s.children().at(0).inbound); }),
           true);
  }
}
BENCHMARK(BM_ChildRekey)->Unit(benchmark::kMicrosecond);

void BM_SkProtectUnprotect(benchmark::State& state) {
  IkeSuite s{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none,
             PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
  if (state.range(0)) {
    s = IkeSuite{esp::EncrAlgorithm::aes_cbc, 256, esp::IntegAlgorithm::hmac_sha2_256_128,
                 PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};
  }
  IkeKeys k = derive_ike_keys(s, SecretBytes(Bytes(32, 1)), Bytes(32, 2), Bytes(32, 3), IkeSpi{1},
                              IkeSpi{2});
  OpenSslRng rng;
  auto ci = make_sk_cipher(s, k, true, rng);
  auto cr = make_sk_cipher(s, k, false, rng);
  Message m;
  m.header.exchange = ExchangeType::informational;
  m.header.flags = Header::kFlagInitiator;
  m.encrypted = true;
  m.add(PayloadType::delete_, DeletePayload{ProtocolId::esp, {1, 2, 3}});
  for (auto _ : state) {
    auto wire = encode_message(m, ci.get());
    auto d = decode_message(*wire, cr.get(), nullptr);
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(state.range(0) ? "aes256-sha256" : "aes256gcm16");
}
BENCHMARK(BM_SkProtectUnprotect)->Arg(0)->Arg(1);

}  // namespace
}  // namespace vpnlab::ike

BENCHMARK_MAIN();
