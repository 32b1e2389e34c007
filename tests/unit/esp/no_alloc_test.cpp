// "No allocation per packet" as a test: counts every operator new and every OpenSSL
// allocation (CRYPTO_set_mem_functions, installed before main so OpenSSL has not
// allocated yet) around encap/decap of many packets, after one warm-up packet per SA.
// libsodium allocates nothing on its AEAD path by construction.
// Its own executable: the OpenSSL hook must run before any other code touches OpenSSL.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "esp/sa.hpp"
#include "esp_test_util.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocs{0};

void* count_malloc(std::size_t n, const char*, int) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  return std::malloc(n);
}
void* count_realloc(void* p, std::size_t n, const char*, int) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  return std::realloc(p, n);
}
void plain_free(void* p, const char*, int) {
  std::free(p);
}

const bool g_hooked = CRYPTO_set_mem_functions(count_malloc, count_realloc, plain_free) == 1;
}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // new and delete both use malloc
#endif

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace vpnlab::esp::test {
namespace {

TEST(EspNoAlloc, EncapAndDecapDoNotAllocate) {
  ASSERT_TRUE(g_hooked) << "OpenSSL allocated before the hook; the count would miss it";
  for (const auto& suite : all_suites()) {
    SCOPED_TRACE(std::string(suite_name(suite)));
    auto out = OutboundSa::create(params_for(suite));
    auto in = InboundSa::create(params_for(suite));
    ASSERT_TRUE(out && in);
    Packet pkt(ipv4_packet(1400));
    const Bytes clean = pkt.buf;
    auto round = [&] {
      pkt.buf = clean;  // same capacity: no allocation
      auto e = (*out)->encap(pkt.buf, pkt.offset, pkt.length, kNextHeaderIpv4);
      if (!e) return false;
      return static_cast<bool>((*in)->decap(pkt.buf, e->esp.offset, e->esp.length));
    };
    ASSERT_TRUE(round());  // warm-up: lazy one-time setup inside the libraries
    g_allocs = 0;
    g_counting = true;
    bool ok = true;
    for (int i = 0; i < 200; ++i) ok = round() && ok;  // > 32: CBC IV batch refills too
    g_counting = false;
    EXPECT_TRUE(ok);
    EXPECT_EQ(g_allocs.load(), 0u);
  }
}

}  // namespace
}  // namespace vpnlab::esp::test
