#include "ike/core/prf.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>

namespace vpnlab::ike {
namespace {

const EVP_MD* prf_md(PrfAlgorithm alg) {
  switch (alg) {
    case PrfAlgorithm::hmac_sha1:
      return EVP_sha1();
    case PrfAlgorithm::hmac_sha2_256:
      return EVP_sha256();
    case PrfAlgorithm::hmac_sha2_384:
      return EVP_sha384();
    case PrfAlgorithm::hmac_sha2_512:
      return EVP_sha512();
  }
  return nullptr;
}

const EVP_MD* integ_md(std::uint16_t id) {
  switch (id) {
    case 2:
      return EVP_sha1();
    case 12:
      return EVP_sha256();
    case 13:
      return EVP_sha384();
    case 14:
      return EVP_sha512();
  }
  return nullptr;
}

void hmac(const EVP_MD* md, ByteSpan key, ByteSpan data, std::uint8_t* out, unsigned* len) {
  // A null md means an unnegotiable algorithm reached the crypto layer: a broken invariant.
  if (!md ||
      !HMAC(md, key.data(), static_cast<int>(key.size()), data.data(), data.size(), out, len)) {
    std::abort();
  }
}

}  // namespace

bool is_supported(PrfAlgorithm alg) {
  return prf_md(alg) != nullptr;
}

std::size_t prf_size(PrfAlgorithm alg) {
  const EVP_MD* md = prf_md(alg);
  return md ? static_cast<std::size_t>(EVP_MD_get_size(md)) : 0;
}

SecretBytes prf(PrfAlgorithm alg, ByteSpan key, ByteSpan data) {
  SecretBytes out(std::size_t{EVP_MAX_MD_SIZE});
  unsigned len = 0;
  hmac(prf_md(alg), key, data, out.expose_mutable().data(), &len);
  return out.slice(0, len);
}

SecretBytes prf_plus(PrfAlgorithm alg, ByteSpan key, ByteSpan seed, std::size_t length) {
  std::size_t block = prf_size(alg);
  if (block == 0 || (length + block - 1) / block > 255) std::abort();
  SecretBytes out(length);
  SecretBytes t;
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < length; ++i) {
    SecretBytes input(t.size() + seed.size() + 1);
    auto in = input.expose_mutable();
    std::copy(t.expose().begin(), t.expose().end(), in.begin());
    std::copy(seed.begin(), seed.end(), in.begin() + static_cast<std::ptrdiff_t>(t.size()));
    in[in.size() - 1] = i;
    t = prf(alg, key, input.expose());
    std::size_t n = std::min(block, length - done);
    std::copy_n(t.expose().begin(), n,
                out.expose_mutable().begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
  return out;
}

Bytes integ_mac(std::uint16_t integ_id, ByteSpan key, ByteSpan data) {
  std::uint8_t buf[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  hmac(integ_md(integ_id), key, data, buf, &len);
  return Bytes(buf, buf + integ_icv_size(integ_id));
}

std::size_t integ_key_size(std::uint16_t integ_id) {
  const EVP_MD* md = integ_md(integ_id);
  return md ? static_cast<std::size_t>(EVP_MD_get_size(md)) : 0;
}

std::size_t integ_icv_size(std::uint16_t integ_id) {
  // RFC 2404 (96 bits), RFC 4868 2.3 (half the hash length).
  return integ_id == 2 ? 12 : integ_key_size(integ_id) / 2;
}

}  // namespace vpnlab::ike
