#include "topology/gateway/manual_keying.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "base/errors.hpp"

namespace vpnlab::topology {
namespace {

Checked<SecretBytes> hkdf(const SecretBytes& psk, const std::string& info, std::size_t length) {
  SecretBytes out(length);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  static const unsigned char kSalt[] = "vpnlab manual keying v1";
  bool ok =
      ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
      EVP_PKEY_CTX_set1_hkdf_salt(ctx, kSalt, sizeof kSalt - 1) > 0 &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx, psk.expose().data(), static_cast<int>(psk.size())) > 0 &&
      EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())) > 0;
  std::size_t len = length;
  ok = ok && EVP_PKEY_derive(ctx, out.expose_mutable().data(), &len) > 0 && len == length;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return fail(make_error_code(errc::unsupported), "HKDF-SHA256 failed (OpenSSL)");
  return out;
}

// 36 bytes of AES-256-GCM key + salt (RFC 4106 8.1), then 4 bytes of SPI.
Checked<dataplane::SaConfig> derive_direction(const TunnelPlan& t, const std::string& direction) {
  auto material = hkdf(t.psk, t.device + "|" + t.inside.to_string() + "|" + direction, 40);
  if (!material) return Unexpected{material.error()};
  dataplane::SaConfig sa;
  sa.suite = esp::SuiteId{esp::EncrAlgorithm::aes_gcm_16, 256, esp::IntegAlgorithm::none};
  sa.keys.encr_key = material->slice(0, 36);
  auto spi_bytes = material->expose().subspan(36, 4);
  std::uint32_t spi = (std::uint32_t{spi_bytes[0]} << 24) | (spi_bytes[1] << 16) |
                      (spi_bytes[2] << 8) | spi_bytes[3];
  // RFC 4303 2.1: SPIs 0-255 are reserved.
  sa.spi = esp::Spi{spi < 256 ? spi + 256 : spi};
  sa.replay_window = static_cast<std::uint32_t>(t.replay_window);
  return sa;
}

}  // namespace

Checked<ManualSaPair> derive_manual_sas(const TunnelPlan& t, bool aws_side) {
  auto to_azure = derive_direction(t, "aws->azure");
  auto to_aws = derive_direction(t, "azure->aws");
  if (!to_azure) return Unexpected{to_azure.error()};
  if (!to_aws) return Unexpected{to_aws.error()};
  ManualSaPair pair;
  pair.outbound = aws_side ? std::move(*to_azure) : std::move(*to_aws);
  pair.inbound = aws_side ? std::move(*to_aws) : std::move(*to_azure);
  for (auto* sa : {&pair.inbound, &pair.outbound}) {
    sa->outer.local = t.local_outside;
    sa->outer.remote = t.remote_outside;
    sa->outer.udp_encap = false;
  }
  return pair;
}

}  // namespace vpnlab::topology
