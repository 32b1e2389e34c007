// Per-packet ESP cost for every suite at 64/512/1400/9000-byte inner packets on each crypto
// backend (esp/crypto_backend.hpp: openssl, ipsec-mb), one packet per call and 64 per
// encap_batch call (where ipsec-mb interleaves AES-CBC + HMAC), the replay window, and an
// anchor: raw OpenSSL EVP AES-256-GCM on the same sizes (context set up once, per packet:
// set IV, AAD, encrypt, tag), so the output shows our overhead over the bare cipher and
// each backend against the other. Decap benchmarks copy the sealed packet back before each call
// (decap works in place); BM_Memcpy shows that copy's cost, and the raw decrypt anchor pays it too.
//
// Run: build-esp/bench/esp/esp_bench
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "esp/replay_window.hpp"
#include "esp/sa.hpp"

namespace {

using namespace vpnlab;
using namespace vpnlab::esp;

const SuiteId kSuites[] = {
    {EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none},
    {EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none},
    {EncrAlgorithm::chacha20_poly1305, 256, IntegAlgorithm::none},
    {EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96},
    {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128},
    {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_384_192},
    {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256},
};

SaParams params(const SuiteId& suite, std::uint32_t window, CryptoBackend backend) {
  SaParams p;
  p.backend = backend;
  p.spi = Spi{0x1000};
  p.suite = suite;
  Bytes e(encr_keymat_size(suite), 0x11), i(integ_keymat_size(suite.integ), 0x22);
  p.keys = SaKeys{SecretBytes(e), SecretBytes(i)};
  p.esn = true;
  p.replay_window = window;
  return p;
}

Bytes ipv4(std::size_t n) {
  Bytes p(n, 0x5a);
  p[0] = 0x45;
  store_be16(&p[2], static_cast<std::uint16_t>(n));
  return p;
}

void BM_Encap(benchmark::State& state, SuiteId suite, CryptoBackend backend) {
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  auto sa = OutboundSa::create(params(suite, 0, backend));
  if (!sa) return state.SkipWithError("create failed");
  Bytes buf(kMaxHeadroom + size + kMaxTailroom);
  const Bytes inner = ipv4(size);
  std::memcpy(buf.data() + kMaxHeadroom, inner.data(), size);
  for (auto _ : state) {
    auto r = (*sa)->encap(buf, kMaxHeadroom, size, kNextHeaderIpv4);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void BM_Decap(benchmark::State& state, SuiteId suite, CryptoBackend backend) {
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  auto out = OutboundSa::create(params(suite, 0, backend));
  auto in = InboundSa::create(params(suite, 0, backend));  // window 0: the same packet every time
  if (!out || !in) return state.SkipWithError("create failed");
  Bytes buf(kMaxHeadroom + size + kMaxTailroom);
  const Bytes inner = ipv4(size);
  std::memcpy(buf.data() + kMaxHeadroom, inner.data(), size);
  auto e = (*out)->encap(buf, kMaxHeadroom, size, kNextHeaderIpv4);
  if (!e) return state.SkipWithError("encap failed");
  const Bytes sealed = buf;
  for (auto _ : state) {
    std::memcpy(buf.data() + e->esp.offset, sealed.data() + e->esp.offset, e->esp.length);
    auto r = (*in)->decap(buf, e->esp.offset, e->esp.length);
    if (!r) state.SkipWithError("decap failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// 64 packets per encap_batch call, as the dataplane's outbound worker calls it; the
// per_packet counter is the time per packet.
void BM_EncapBatch(benchmark::State& state, SuiteId suite, CryptoBackend backend) {
  constexpr std::size_t kBatch = 64;
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  auto sa = OutboundSa::create(params(suite, 0, backend));
  if (!sa) return state.SkipWithError("create failed");
  std::vector<Bytes> bufs(kBatch, Bytes(kMaxHeadroom + size + kMaxTailroom));
  const Bytes inner = ipv4(size);
  std::vector<OutboundSa::Job> jobs;
  for (Bytes& b : bufs) std::memcpy(b.data() + kMaxHeadroom, inner.data(), size);
  for (auto _ : state) {
    jobs.clear();
    for (Bytes& b : bufs) jobs.push_back({b, kMaxHeadroom, size, kNextHeaderIpv4});
    (*sa)->encap_batch(0, (*sa)->reserve(kBatch), jobs);
    if (!jobs.back().ok) state.SkipWithError("encap failed");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size * kBatch));
  state.counters["per_packet"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatch),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Memcpy(benchmark::State& state) {
  const std::size_t size = static_cast<std::size_t>(state.range(0)) + 64;
  Bytes a(size, 1), b(size, 2);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), size);
    benchmark::ClobberMemory();
  }
}

// Anchor: what AES-256-GCM costs in OpenSSL alone for one packet.
struct RawGcm {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~RawGcm() { EVP_CIPHER_CTX_free(ctx); }
  void init(bool enc) {
    std::uint8_t key[32] = {1};
    EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, nullptr, enc ? 1 : 0);
  }
  bool run(std::uint8_t* data, std::size_t n, std::uint8_t* tag, bool enc) {
    std::uint8_t iv[12] = {9}, aad[8] = {7};
    int len = 0;
    EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv, -1);
    if (!enc) EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
    EVP_CipherUpdate(ctx, nullptr, &len, aad, 8);
    EVP_CipherUpdate(ctx, data, &len, data, static_cast<int>(n));
    std::uint8_t scratch[16];
    const bool ok = EVP_CipherFinal_ex(ctx, scratch, &len) == 1;
    if (enc) EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
    return ok;
  }
};

void BM_RawEvpAes256GcmEncrypt(benchmark::State& state) {
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  RawGcm g;
  g.init(true);
  Bytes buf(size + 16, 0x5a);
  for (auto _ : state) {
    g.run(buf.data(), size, buf.data() + size, true);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void BM_RawEvpAes256GcmDecrypt(benchmark::State& state) {
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  RawGcm enc, dec;
  enc.init(true);
  dec.init(false);
  Bytes sealed(size + 16, 0x5a);
  enc.run(sealed.data(), size, sealed.data() + size, true);
  Bytes buf = sealed;
  for (auto _ : state) {
    std::memcpy(buf.data(), sealed.data(), sealed.size());
    if (!dec.run(buf.data(), size, buf.data() + size, false)) state.SkipWithError("tag");
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// Replay window: in-order arrivals (the common case: check + update slides by one).
void BM_ReplayInOrder(benchmark::State& state) {
  ReplayWindow w(static_cast<std::uint32_t>(state.range(0)), true);
  std::uint32_t seq = 1;
  for (auto _ : state) {
    auto s = w.check(seq++);
    if (s) w.update(*s);
    benchmark::DoNotOptimize(s);
  }
}

// Replay window: packets reordered within the window (pairs swapped, every 8th a duplicate).
void BM_ReplayReordered(benchmark::State& state) {
  ReplayWindow w(static_cast<std::uint32_t>(state.range(0)), true);
  std::uint32_t i = 2;
  for (auto _ : state) {
    const std::uint32_t seq = (i % 8 == 0) ? i - 3 : (i ^ 1u);
    auto s = w.check(seq);
    if (s) w.update(*s);
    benchmark::DoNotOptimize(s);
    ++i;
  }
}

void register_all() {
  for (CryptoBackend backend : {CryptoBackend::openssl, CryptoBackend::ipsec_mb}) {
    if (!crypto_backend_available(backend)) continue;
    const std::string lib(crypto_backend_name(backend));
    for (const auto& suite : kSuites) {
      if (suite.encr == EncrAlgorithm::chacha20_poly1305 && backend != CryptoBackend::openssl) {
        continue;  // always libsodium's
      }
      const bool sodium = suite.encr == EncrAlgorithm::chacha20_poly1305;
      const std::string name = (sodium ? "libsodium" : lib) + "/" + std::string(suite_name(suite));
      using Fn = void (*)(benchmark::State&, SuiteId, CryptoBackend);
      const std::pair<const char*, Fn> kinds[] = {
          {"BM_Encap/", BM_Encap}, {"BM_Decap/", BM_Decap}, {"BM_EncapBatch/", BM_EncapBatch}};
      for (const auto& [kind, fn] : kinds) {
        benchmark::RegisterBenchmark((kind + name).c_str(), fn, suite, backend)
            ->Arg(64)
            ->Arg(512)
            ->Arg(1400)
            ->Arg(9000);
      }
    }
  }
}

}  // namespace

BENCHMARK(BM_RawEvpAes256GcmEncrypt)->Arg(64)->Arg(512)->Arg(1400)->Arg(9000);
BENCHMARK(BM_RawEvpAes256GcmDecrypt)->Arg(64)->Arg(512)->Arg(1400)->Arg(9000);
BENCHMARK(BM_Memcpy)->Arg(64)->Arg(512)->Arg(1400)->Arg(9000);
BENCHMARK(BM_ReplayInOrder)->Arg(64)->Arg(1024)->Arg(4096);
BENCHMARK(BM_ReplayReordered)->Arg(64)->Arg(1024)->Arg(4096);

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
