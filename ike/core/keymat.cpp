#include "ike/core/keymat.hpp"

#include <string_view>

namespace vpnlab::ike {
namespace {

Bytes concat(std::initializer_list<ByteSpan> parts) {
  Bytes out;
  for (ByteSpan p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// Wipes a temporary that holds secret input (g^ir copies) on scope exit.
struct WipeOnExit {
  Bytes& b;
  ~WipeOnExit() { secure_wipe(b.data(), b.size()); }
};

}  // namespace

SecretBytes skeyseed_initial(PrfAlgorithm prf, ByteSpan ni, ByteSpan nr, const SecretBytes& g_ir) {
  // RFC 7296 2.14: the HMAC PRFs take the whole Ni | Nr as key.
  return ike::prf(prf, concat({ni, nr}), g_ir.expose());
}

SecretBytes skeyseed_rekey(PrfAlgorithm old_prf, const SecretBytes& old_sk_d,
                           const SecretBytes& g_ir, ByteSpan ni, ByteSpan nr) {
  Bytes data = concat({g_ir.expose(), ni, nr});
  WipeOnExit wipe{data};
  return ike::prf(old_prf, old_sk_d.expose(), data);
}

IkeKeys derive_ike_keys(const IkeSuite& suite, const SecretBytes& skeyseed, ByteSpan ni,
                        ByteSpan nr, IkeSpi spi_i, IkeSpi spi_r) {
  Bytes seed = concat({ni, nr});
  ByteWriter w(seed);
  w.u64(spi_i.value);
  w.u64(spi_r.value);
  std::size_t p = prf_size(suite.prf);
  std::size_t a = is_aead(suite.encr) ? 0 : integ_key_size(static_cast<std::uint16_t>(suite.integ));
  std::size_t e = encr_key_size(suite.encr, suite.key_bits);
  SecretBytes km = prf_plus(suite.prf, skeyseed.expose(), seed, p + 2 * a + 2 * e + 2 * p);
  IkeKeys k;
  std::size_t at = 0;
  auto take = [&](std::size_t n) {
    SecretBytes s = km.slice(at, n);
    at += n;
    return s;
  };
  k.sk_d = take(p);
  k.sk_ai = take(a);
  k.sk_ar = take(a);
  k.sk_ei = take(e);
  k.sk_er = take(e);
  k.sk_pi = take(p);
  k.sk_pr = take(p);
  return k;
}

ChildKeys derive_child_keys(PrfAlgorithm prf, const SecretBytes& sk_d, const esp::SuiteId& suite,
                            const SecretBytes& g_ir, ByteSpan ni, ByteSpan nr) {
  Bytes seed = concat({g_ir.expose(), ni, nr});
  WipeOnExit wipe{seed};
  std::size_t e = encr_key_size(suite.encr, suite.key_bits);
  std::size_t a = is_aead(suite.encr) ? 0 : integ_key_size(static_cast<std::uint16_t>(suite.integ));
  SecretBytes km = prf_plus(prf, sk_d.expose(), seed, 2 * (e + a));
  ChildKeys k;
  // RFC 7296 2.17: "All keys for SAs carrying data from the initiator to the responder are
  // taken before SAs going from the responder to the initiator", encryption before integrity.
  k.i_to_r.encr_key = km.slice(0, e);
  k.i_to_r.integ_key = km.slice(e, a);
  k.r_to_i.encr_key = km.slice(e + a, e);
  k.r_to_i.integ_key = km.slice(2 * e + a, a);
  return k;
}

Bytes psk_auth(PrfAlgorithm prf, const SecretBytes& psk, const SecretBytes& sk_p,
               ByteSpan real_message, ByteSpan peer_nonce, ByteSpan id_body) {
  constexpr std::string_view kKeyPad = "Key Pad for IKEv2";  // RFC 7296 2.15, 17 octets
  SecretBytes maced_id = ike::prf(prf, sk_p.expose(), id_body);
  Bytes signed_octets = concat({real_message, peer_nonce, maced_id.expose()});
  SecretBytes pad_key =
      ike::prf(prf, psk.expose(),
               ByteSpan(reinterpret_cast<const std::uint8_t*>(kKeyPad.data()), kKeyPad.size()));
  SecretBytes auth = ike::prf(prf, pad_key.expose(), signed_octets);
  return Bytes(auth.expose().begin(), auth.expose().end());
}

}  // namespace vpnlab::ike
