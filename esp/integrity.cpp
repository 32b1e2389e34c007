// HMAC (RFC 2104) for ESP over OpenSSL's SHA-1/SHA-2 block functions, with the keyed
// inner and outer hash states computed once per SA and copied (a plain struct copy) for
// every packet.
//
// Known deviation from "everything through EVP": OpenSSL 3.0 re-creates the provider
// state on every EVP_DigestInit_ex, EVP_MD_CTX_copy_ex and EVP_MAC_init/final, i.e. two
// heap allocations per HMAC (measured by EspNoAlloc). The SHA*_Init/Update/Final
// functions, deprecated in 3.0 but present until 4.0, run the same assembly on a struct
// we own: no allocation, and the two pad blocks are hashed once per SA instead of once
// per packet. TODO(esp): move to EVP_MD_CTX once the minimum OpenSSL reuses contexts.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "esp/integrity.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

#include "esp/errors.hpp"

namespace vpnlab::esp {

namespace {

union HashState {
  SHA_CTX sha1;
  SHA256_CTX sha256;
  SHA512_CTX sha512;  // also SHA-384
};

struct HashOps {
  int (*init)(HashState&);
  int (*update)(HashState&, const void*, std::size_t);
  int (*final)(std::uint8_t*, HashState&);
  std::size_t block;
  std::size_t out;
  std::size_t icv;
};

// RFC 2404 2 (96-bit ICV), RFC 4868 2.3 (half the hash output).
const HashOps kSha1{
    [](HashState& s) { return SHA1_Init(&s.sha1); },
    [](HashState& s, const void* d, std::size_t n) { return SHA1_Update(&s.sha1, d, n); },
    [](std::uint8_t* o, HashState& s) { return SHA1_Final(o, &s.sha1); },
    64,
    20,
    12};
const HashOps kSha256{
    [](HashState& s) { return SHA256_Init(&s.sha256); },
    [](HashState& s, const void* d, std::size_t n) { return SHA256_Update(&s.sha256, d, n); },
    [](std::uint8_t* o, HashState& s) { return SHA256_Final(o, &s.sha256); },
    64,
    32,
    16};
const HashOps kSha384{
    [](HashState& s) { return SHA384_Init(&s.sha512); },
    [](HashState& s, const void* d, std::size_t n) { return SHA384_Update(&s.sha512, d, n); },
    [](std::uint8_t* o, HashState& s) { return SHA384_Final(o, &s.sha512); },
    128,
    48,
    24};
const HashOps kSha512{
    [](HashState& s) { return SHA512_Init(&s.sha512); },
    [](HashState& s, const void* d, std::size_t n) { return SHA512_Update(&s.sha512, d, n); },
    [](std::uint8_t* o, HashState& s) { return SHA512_Final(o, &s.sha512); },
    128,
    64,
    32};

const HashOps* ops_for(IntegAlgorithm alg) {
  switch (alg) {
    case IntegAlgorithm::hmac_sha1_96:
      return &kSha1;
    case IntegAlgorithm::hmac_sha2_256_128:
      return &kSha256;
    case IntegAlgorithm::hmac_sha2_384_192:
      return &kSha384;
    case IntegAlgorithm::hmac_sha2_512_256:
      return &kSha512;
    case IntegAlgorithm::none:
      return nullptr;
  }
  return nullptr;
}

constexpr std::size_t kMaxBlock = 128;

}  // namespace

struct Hmac::Ctx {
  const HashOps* ops = nullptr;
  HashState inner_keyed{};  // after hashing K0 ^ ipad (RFC 2104 2, steps 2-3)
  HashState outer_keyed{};  // after hashing K0 ^ opad (steps 5-6)
  ~Ctx() {
    OPENSSL_cleanse(&inner_keyed, sizeof(inner_keyed));
    OPENSSL_cleanse(&outer_keyed, sizeof(outer_keyed));
  }
  bool key(ByteSpan key);
};

// RFC 2104 2, step 1: K0 = the key padded with zeros to the block size, or H(key) padded
// when the key is longer than a block.
bool Hmac::Ctx::key(ByteSpan key) {
  std::uint8_t k0[kMaxBlock] = {}, pad[kMaxBlock];
  HashState tmp;
  bool ok = true;
  if (key.size() > ops->block) {
    ok = ops->init(tmp) == 1 && ops->update(tmp, key.data(), key.size()) == 1 &&
         ops->final(k0, tmp) == 1;
  } else if (!key.empty()) {
    std::copy(key.begin(), key.end(), k0);
  }
  for (std::size_t i = 0; i < ops->block; ++i) pad[i] = k0[i] ^ 0x36;
  ok = ok && ops->init(inner_keyed) == 1 && ops->update(inner_keyed, pad, ops->block) == 1;
  for (std::size_t i = 0; i < ops->block; ++i) pad[i] = k0[i] ^ 0x5c;
  ok = ok && ops->init(outer_keyed) == 1 && ops->update(outer_keyed, pad, ops->block) == 1;
  OPENSSL_cleanse(k0, sizeof(k0));
  OPENSSL_cleanse(pad, sizeof(pad));
  OPENSSL_cleanse(&tmp, sizeof(tmp));
  return ok;
}

Hmac::Hmac(std::unique_ptr<Ctx> ctx, std::size_t icv, std::size_t digest)
    : ctx_(std::move(ctx)), icv_size_(icv), digest_size_(digest) {}
Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;
Hmac::~Hmac() = default;

Result<Hmac> Hmac::create(IntegAlgorithm alg, ByteSpan key) {
  const HashOps* ops = ops_for(alg);
  if (!ops) return Unexpected{make_error_code(errc::unsupported_suite)};
  auto ctx = std::make_unique<Ctx>();
  ctx->ops = ops;
  if (!ctx->key(key)) return Unexpected{make_error_code(errc::crypto_init_failed)};
  return Hmac(std::move(ctx), ops->icv, ops->out);
}

bool Hmac::compute(ByteSpan a, ByteSpan b, MutableByteSpan out) {
  if (out.size() > digest_size_) return false;
  const HashOps& h = *ctx_->ops;
  std::uint8_t inner[64], full[64];
  HashState s = ctx_->inner_keyed;  // steps 4-5: H(K0 ^ ipad || text)
  bool ok = h.update(s, a.data(), a.size()) == 1 &&
            (b.empty() || h.update(s, b.data(), b.size()) == 1) && h.final(inner, s) == 1;
  s = ctx_->outer_keyed;  // steps 7-9: H(K0 ^ opad || inner)
  ok = ok && h.update(s, inner, h.out) == 1 && h.final(full, s) == 1;
  if (ok) std::copy(full, full + out.size(), out.begin());  // leftmost bytes
  OPENSSL_cleanse(&s, sizeof(s));
  return ok;
}

bool Hmac::verify(ByteSpan a, ByteSpan b, ByteSpan icv) {
  std::uint8_t mac[64];
  if (icv.size() > digest_size_) return false;
  if (!compute(a, b, MutableByteSpan(mac, icv.size()))) return false;
  return CRYPTO_memcmp(mac, icv.data(), icv.size()) == 0;  // constant time (RFC 4303 3.4.4)
}

}  // namespace vpnlab::esp
