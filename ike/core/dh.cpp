#include "ike/core/dh.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstring>
#include <utility>

namespace vpnlab::ike {
namespace {

enum class Kind { modp, ecp, x25519, none };

struct GroupInfo {
  Kind kind;
  const char* name;  // OpenSSL group name (FFC named group or curve)
  std::size_t size;  // public value octets
};

// RFC 2409 6.2 Second Oakley Group (1024-bit MODP): OpenSSL 3 has no named group for it.
constexpr const char* kOakleyGroup2 =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";

GroupInfo info(DhGroup g) {
  switch (g) {
    case DhGroup::modp_1024:
      return {Kind::modp, nullptr, 128};
    case DhGroup::modp_1536:
      return {Kind::modp, "modp_1536", 192};
    case DhGroup::modp_2048:
      return {Kind::modp, "modp_2048", 256};
    case DhGroup::modp_3072:
      return {Kind::modp, "modp_3072", 384};
    case DhGroup::modp_4096:
      return {Kind::modp, "modp_4096", 512};
    case DhGroup::modp_6144:
      return {Kind::modp, "modp_6144", 768};
    case DhGroup::modp_8192:
      return {Kind::modp, "modp_8192", 1024};
    case DhGroup::ecp_256:
      return {Kind::ecp, "P-256", 64};
    case DhGroup::ecp_384:
      return {Kind::ecp, "P-384", 96};
    case DhGroup::ecp_521:
      return {Kind::ecp, "P-521", 132};
    case DhGroup::modp_1024_160:
      return {Kind::modp, "dh_1024_160", 128};
    case DhGroup::modp_2048_224:
      return {Kind::modp, "dh_2048_224", 256};
    case DhGroup::modp_2048_256:
      return {Kind::modp, "dh_2048_256", 256};
    case DhGroup::curve25519:
      return {Kind::x25519, "X25519", 32};
    case DhGroup::none:
      break;
  }
  return {Kind::none, nullptr, 0};
}

ParseError internal(const char* what) {
  ParseError e = syntax_error("KE", 0, what);
  e.code = errc::internal;
  e.notify = NotifyType::none;
  return e;
}

struct PkeyCtx {
  EVP_PKEY_CTX* p;
  ~PkeyCtx() { EVP_PKEY_CTX_free(p); }
};
struct ParamBld {
  OSSL_PARAM_BLD* p = OSSL_PARAM_BLD_new();
  ~ParamBld() { OSSL_PARAM_BLD_free(p); }
};
struct Params {
  OSSL_PARAM* p;
  ~Params() { OSSL_PARAM_free(p); }
};
struct Bn {
  BIGNUM* p = nullptr;
  ~Bn() { BN_clear_free(p); }
};

/// Adds the domain parameters (named group, or p and g for group 2) to a param builder.
bool push_domain(OSSL_PARAM_BLD* bld, DhGroup g, Bn& p, Bn& two) {
  GroupInfo gi = info(g);
  if (gi.name) {
    return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, gi.name, 0);
  }
  if (!BN_hex2bn(&p.p, kOakleyGroup2)) return false;
  two.p = BN_new();
  return two.p && BN_set_word(two.p, 2) &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p.p) &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, two.p);
}

/// An EVP_PKEY from parameters (domain + optional pub/priv) built by `fill`.
template <typename F>
EVP_PKEY* from_params(DhGroup g, int selection, F fill) {
  GroupInfo gi = info(g);
  const char* type = gi.kind == Kind::ecp ? "EC" : "DH";
  ParamBld bld;
  Bn p, two;
  if (!bld.p || !push_domain(bld.p, g, p, two) || !fill(bld.p)) return nullptr;
  Params params{OSSL_PARAM_BLD_to_param(bld.p)};
  PkeyCtx ctx{EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr)};
  EVP_PKEY* key = nullptr;
  if (!params.p || !ctx.p || EVP_PKEY_fromdata_init(ctx.p) <= 0 ||
      EVP_PKEY_fromdata(ctx.p, &key, selection, params.p) <= 0) {
    return nullptr;
  }
  return key;
}

EVP_PKEY* generate_key(DhGroup g) {
  GroupInfo gi = info(g);
  if (gi.kind == Kind::x25519) return EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  if (gi.kind == Kind::ecp) return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", gi.name);
  EVP_PKEY* domain = from_params(g, EVP_PKEY_KEY_PARAMETERS, [](OSSL_PARAM_BLD*) { return true; });
  if (!domain) return nullptr;
  PkeyCtx ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, domain, nullptr)};
  EVP_PKEY_free(domain);
  EVP_PKEY* key = nullptr;
  if (!ctx.p || EVP_PKEY_keygen_init(ctx.p) <= 0 || EVP_PKEY_generate(ctx.p, &key) <= 0) {
    return nullptr;
  }
  return key;
}

/// The public value in IKE encoding: padded MODP y, ECP x||y, X25519 u.
bool public_of(EVP_PKEY* key, DhGroup g, Bytes& out) {
  GroupInfo gi = info(g);
  out.assign(gi.size, 0);
  if (gi.kind == Kind::x25519) {
    std::size_t len = out.size();
    return EVP_PKEY_get_raw_public_key(key, out.data(), &len) == 1 && len == gi.size;
  }
  if (gi.kind == Kind::ecp) {
    Bytes point(gi.size + 1);
    std::size_t len = 0;
    if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                         &len) ||
        len != point.size() || point[0] != 0x04) {
      return false;
    }
    std::memcpy(out.data(), point.data() + 1, gi.size);  // RFC 5903 7: no 0x04 prefix
    return true;
  }
  Bn y;
  return EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y.p) &&
         BN_bn2binpad(y.p, out.data(), static_cast<int>(out.size())) ==
             static_cast<int>(out.size());
}

EVP_PKEY* peer_key(DhGroup g, ByteSpan pub) {
  GroupInfo gi = info(g);
  if (gi.kind == Kind::x25519) {
    return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, pub.data(), pub.size());
  }
  if (gi.kind == Kind::ecp) {
    Bytes point{0x04};
    point.insert(point.end(), pub.begin(), pub.end());
    return from_params(g, EVP_PKEY_PUBLIC_KEY, [&](OSSL_PARAM_BLD* b) {
      return OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                              point.size()) == 1;
    });
  }
  Bn y{BN_bin2bn(pub.data(), static_cast<int>(pub.size()), nullptr)};
  if (!y.p) return nullptr;
  return from_params(g, EVP_PKEY_PUBLIC_KEY, [&](OSSL_PARAM_BLD* b) {
    return OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PUB_KEY, y.p) == 1;
  });
}

}  // namespace

bool is_supported(DhGroup g) {
  return info(g).kind != Kind::none;
}
std::size_t dh_public_size(DhGroup g) {
  return info(g).size;
}

DhKeyPair::DhKeyPair(DhGroup group, EVP_PKEY* key) : group_(group), key_(key) {}
DhKeyPair::~DhKeyPair() {
  EVP_PKEY_free(key_);
}
DhKeyPair::DhKeyPair(DhKeyPair&& o) noexcept
    : group_(o.group_), key_(std::exchange(o.key_, nullptr)), public_(std::move(o.public_)) {}
DhKeyPair& DhKeyPair::operator=(DhKeyPair&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(key_);
    group_ = o.group_;
    key_ = std::exchange(o.key_, nullptr);
    public_ = std::move(o.public_);
  }
  return *this;
}

Result<DhKeyPair, ParseError> DhKeyPair::generate(DhGroup group) {
  if (!is_supported(group)) return Unexpected{internal("unsupported DH group")};
  DhKeyPair kp(group, generate_key(group));
  if (!kp.key_ || !public_of(kp.key_, group, kp.public_)) {
    return Unexpected{internal("DH key generation failed")};
  }
  return kp;
}

Result<DhKeyPair, ParseError> DhKeyPair::from_private_for_test(DhGroup group, ByteSpan priv,
                                                               ByteSpan pub) {
  GroupInfo gi = info(group);
  EVP_PKEY* key = nullptr;
  if (gi.kind == Kind::x25519) {
    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size());
  } else if (gi.kind == Kind::ecp) {
    // OpenSSL's EC import wants the public point alongside the scalar.
    Bn d{BN_bin2bn(priv.data(), static_cast<int>(priv.size()), nullptr)};
    Bytes point{0x04};
    point.insert(point.end(), pub.begin(), pub.end());
    key = from_params(group, EVP_PKEY_KEYPAIR, [&](OSSL_PARAM_BLD* b) {
      return OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d.p) == 1 &&
             OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                              point.size()) == 1;
    });
  }
  DhKeyPair kp(group, key);
  if (!kp.key_ || !public_of(kp.key_, group, kp.public_)) {
    return Unexpected{internal("DH test key import failed")};
  }
  return kp;
}

Result<SecretBytes, ParseError> DhKeyPair::shared_secret(ByteSpan peer_public) const {
  GroupInfo gi = info(group_);
  if (peer_public.size() != gi.size) {
    return Unexpected{syntax_error(
        "KE Key Exchange Data", 0,
        std::to_string(peer_public.size()) + " octets, group needs " + std::to_string(gi.size))};
  }
  EVP_PKEY* peer = peer_key(group_, peer_public);
  PkeyCtx ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr)};
  std::size_t len = 0;
  bool ok = peer && ctx.p && EVP_PKEY_derive_init(ctx.p) > 0 &&
            (gi.kind != Kind::modp || EVP_PKEY_CTX_set_dh_pad(ctx.p, 1) > 0) &&
            EVP_PKEY_derive_set_peer_ex(ctx.p, peer, 1) > 0 &&
            EVP_PKEY_derive(ctx.p, nullptr, &len) > 0;
  SecretBytes out(len);
  ok = ok && EVP_PKEY_derive(ctx.p, out.expose_mutable().data(), &len) > 0;
  EVP_PKEY_free(peer);
  if (!ok) return Unexpected{syntax_error("KE Key Exchange Data", 0, "invalid public value")};
  return out.slice(0, len);
}

}  // namespace vpnlab::ike
