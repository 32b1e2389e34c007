#include "topology/wireshark_keys.hpp"

#include <cstdio>

#include "base/bytes.hpp"
#include "base/errors.hpp"

namespace vpnlab::topology {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  return to_hex(bytes);
}

std::optional<SecretBytes> unhex(const std::string& s) {
  auto bytes = from_hex(s);
  if (!bytes || bytes->size() * 2 != s.size()) return std::nullopt;  // no separators in keys
  SecretBytes secret{std::span<const std::uint8_t>(*bytes)};
  secure_wipe(bytes->data(), bytes->size());
  return secret;
}

std::string hex_u64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex_spi(std::uint32_t v) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Integrity algorithms as Wireshark 3.6 / 4.0 spell them: packet-esp.c
// esp_authentication_type_vals and packet-isakmp.c vs_ikev2_auth_algs.
struct IntegName {
  esp::IntegAlgorithm integ;
  const char* esp;
  const char* ikev2;
};
constexpr IntegName kIntegNames[] = {
    {esp::IntegAlgorithm::none, "NULL", "NONE [RFC4306]"},
    {esp::IntegAlgorithm::hmac_sha1_96, "HMAC-SHA-1-96 [RFC2404]", "HMAC_SHA1_96 [RFC2404]"},
    {esp::IntegAlgorithm::hmac_sha2_256_128, "HMAC-SHA-256-128 [RFC4868]",
     "HMAC_SHA2_256_128 [RFC4868]"},
    {esp::IntegAlgorithm::hmac_sha2_384_192, "HMAC-SHA-384-192 [RFC4868]",
     "HMAC_SHA2_384_192 [RFC4868]"},
    {esp::IntegAlgorithm::hmac_sha2_512_256, "HMAC-SHA-512-256 [RFC4868]",
     "HMAC_SHA2_512_256 [RFC4868]"},
};

const IntegName* integ_name(esp::IntegAlgorithm a) {
  for (const auto& n : kIntegNames) {
    if (n.integ == a) return &n;
  }
  return nullptr;
}

// packet-isakmp.c vs_ikev2_encr_algs: the key size is part of the name.
std::string ikev2_encr_name(esp::EncrAlgorithm e, std::uint16_t bits) {
  if (bits != 128 && bits != 192 && bits != 256) return {};
  std::string b = std::to_string(bits);
  if (e == esp::EncrAlgorithm::aes_cbc) return "AES-CBC-" + b + " [RFC3602]";
  if (e == esp::EncrAlgorithm::aes_gcm_16) return "AES-GCM-" + b + " with 16 octet ICV [RFC5282]";
  return {};
}

const char* algorithm_name(esp::EncrAlgorithm e) {
  switch (e) {
    case esp::EncrAlgorithm::aes_cbc:
      return "AES-CBC";
    case esp::EncrAlgorithm::aes_gcm_16:
      return "AES-GCM-16";
    case esp::EncrAlgorithm::chacha20_poly1305:
      return "ChaCha20-Poly1305";
  }
  return "?";
}

Unexpected<Error> unsupported(const std::string& what) {
  return fail(make_error_code(errc::unsupported), what);
}

}  // namespace

Checked<std::string> esp_sa_line(const EspSaKeys& sa) {
  // packet-esp.c esp_encryption_type_vals; 4.0 has AES-GCM by ICV length, no ChaCha20.
  const char* encr = nullptr;
  if (sa.encr == esp::EncrAlgorithm::aes_cbc) encr = "AES-CBC [RFC3602]";
  if (sa.encr == esp::EncrAlgorithm::aes_gcm_16) encr = "AES-GCM with 16 octet ICV [RFC4106]";
  const IntegName* integ = integ_name(sa.integ);
  const char* auth = integ ? integ->esp : nullptr;
  if (!encr || !auth) {
    return unsupported(std::string("ESP SA ") + hex_spi(sa.spi) + ": " + algorithm_name(sa.encr) +
                       " has no entry in Wireshark 4.0's ESP SA table");
  }
  return "\"IPv4\",\"" + sa.src.to_string() + "\",\"" + sa.dst.to_string() + "\",\"" +
         hex_spi(sa.spi) + "\",\"" + encr + "\",\"0x" + hex(sa.encr_key.expose()) + "\",\"" + auth +
         "\",\"0x" + hex(sa.integ_key.expose()) + "\"";
}

Checked<std::string> ikev2_line(const IkeSaKeys& sa) {
  std::string encr = ikev2_encr_name(sa.encr, sa.key_bits);
  const IntegName* integ = integ_name(sa.integ);
  const char* auth = integ ? integ->ikev2 : nullptr;
  if (encr.empty() || !auth) {
    return unsupported("IKE_SA " + hex_u64(sa.spi_i) + "/" + hex_u64(sa.spi_r) + ": " +
                       algorithm_name(sa.encr) + " has no entry in Wireshark's IKEv2 table");
  }
  return hex_u64(sa.spi_i) + "," + hex_u64(sa.spi_r) + "," + hex(sa.sk_ei.expose()) + "," +
         hex(sa.sk_er.expose()) + ",\"" + encr + "\"," + hex(sa.sk_ai.expose()) + "," +
         hex(sa.sk_ar.expose()) + ",\"" + auth + "\"";
}

void SaKeySet::merge(const SaKeySet& other) {
  for (const auto& e : other.esp) {
    bool known = false;
    for (auto& mine : esp) {
      if (mine.spi == e.spi && mine.src == e.src && mine.dst == e.dst) {
        known = true;
        if (!mine.peer_spi) mine.peer_spi = e.peer_spi;
      }
    }
    if (!known) esp.push_back(e);
  }
  for (const auto& i : other.ike) {
    bool known = false;
    for (const auto& mine : ike) known = known || (mine.spi_i == i.spi_i && mine.spi_r == i.spi_r);
    if (!known) ike.push_back(i);
  }
}

nlohmann::json to_json(const SaKeySet& keys) {
  nlohmann::json esp = nlohmann::json::array(), ike = nlohmann::json::array();
  for (const auto& e : keys.esp) {
    esp.push_back({{"tunnel", e.tunnel},
                   {"src", e.src.to_string()},
                   {"dst", e.dst.to_string()},
                   {"spi", e.spi},
                   {"peer_spi", e.peer_spi},
                   {"encr", static_cast<int>(e.encr)},
                   {"key_bits", e.key_bits},
                   {"integ", static_cast<int>(e.integ)},
                   {"encr_key", hex(e.encr_key.expose())},
                   {"integ_key", hex(e.integ_key.expose())},
                   {"live", e.live}});
  }
  for (const auto& i : keys.ike) {
    ike.push_back({{"tunnel", i.tunnel},
                   {"spi_i", hex_u64(i.spi_i)},
                   {"spi_r", hex_u64(i.spi_r)},
                   {"encr", static_cast<int>(i.encr)},
                   {"key_bits", i.key_bits},
                   {"integ", static_cast<int>(i.integ)},
                   {"sk_ei", hex(i.sk_ei.expose())},
                   {"sk_er", hex(i.sk_er.expose())},
                   {"sk_ai", hex(i.sk_ai.expose())},
                   {"sk_ar", hex(i.sk_ar.expose())},
                   {"live", i.live}});
  }
  return {{"esp", esp}, {"ike", ike}};
}

namespace {

// Reads j[key] as T; the error names the field, never its value (it may be a key).
template <typename T>
Checked<T> field(const nlohmann::json& j, const std::string& where, const char* key) {
  if (!j.contains(key)) {
    return fail(make_error_code(errc::invalid_value), where + "." + key + ": missing");
  }
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    return fail(make_error_code(errc::invalid_value), where + "." + key + ": wrong type");
  }
}

Checked<SecretBytes> key_field(const nlohmann::json& j, const std::string& where, const char* key) {
  auto text = field<std::string>(j, where, key);
  if (!text) return Unexpected{text.error()};
  auto bytes = unhex(*text);
  secure_wipe(text->data(), text->size());
  if (!bytes) {
    return fail(make_error_code(errc::invalid_value), where + "." + key + ": not hexadecimal");
  }
  return std::move(*bytes);
}

Checked<Ipv4Address> address_field(const nlohmann::json& j, const std::string& where,
                                   const char* key) {
  auto text = field<std::string>(j, where, key);
  if (!text) return Unexpected{text.error()};
  auto a = Ipv4Address::parse(*text);
  if (!a) return fail(make_error_code(errc::invalid_value), where + "." + key + ": not IPv4");
  return *a;
}

Checked<std::uint64_t> spi64_field(const nlohmann::json& j, const std::string& where,
                                   const char* key) {
  auto text = field<std::string>(j, where, key);
  if (!text) return Unexpected{text.error()};
  if (text->size() != 16 ||
      text->find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return fail(make_error_code(errc::invalid_value), where + "." + key + ": not 16 hex digits");
  }
  return std::stoull(*text, nullptr, 16);
}

#define VPNLAB_TRY(var, expr)                       \
  auto var##_r = (expr);                            \
  if (!var##_r) return Unexpected{var##_r.error()}; \
  auto var = std::move(*var##_r)

Checked<EspSaKeys> esp_from_json(const nlohmann::json& j, const std::string& where) {
  EspSaKeys e;
  VPNLAB_TRY(tunnel, field<std::string>(j, where, "tunnel"));
  VPNLAB_TRY(src, address_field(j, where, "src"));
  VPNLAB_TRY(dst, address_field(j, where, "dst"));
  VPNLAB_TRY(spi, field<std::uint32_t>(j, where, "spi"));
  VPNLAB_TRY(peer, field<std::uint32_t>(j, where, "peer_spi"));
  VPNLAB_TRY(encr, field<std::uint16_t>(j, where, "encr"));
  VPNLAB_TRY(bits, field<std::uint16_t>(j, where, "key_bits"));
  VPNLAB_TRY(integ, field<std::uint16_t>(j, where, "integ"));
  VPNLAB_TRY(ek, key_field(j, where, "encr_key"));
  VPNLAB_TRY(ik, key_field(j, where, "integ_key"));
  e.tunnel = tunnel;
  e.src = src;
  e.dst = dst;
  e.spi = spi;
  e.peer_spi = peer;
  e.encr = static_cast<esp::EncrAlgorithm>(encr);
  e.key_bits = bits;
  e.integ = static_cast<esp::IntegAlgorithm>(integ);
  e.encr_key = std::move(ek);
  e.integ_key = std::move(ik);
  e.live = j.value("live", true);
  return e;
}

Checked<IkeSaKeys> ike_from_json(const nlohmann::json& j, const std::string& where) {
  IkeSaKeys i;
  VPNLAB_TRY(tunnel, field<std::string>(j, where, "tunnel"));
  VPNLAB_TRY(spi_i, spi64_field(j, where, "spi_i"));
  VPNLAB_TRY(spi_r, spi64_field(j, where, "spi_r"));
  VPNLAB_TRY(encr, field<std::uint16_t>(j, where, "encr"));
  VPNLAB_TRY(bits, field<std::uint16_t>(j, where, "key_bits"));
  VPNLAB_TRY(integ, field<std::uint16_t>(j, where, "integ"));
  VPNLAB_TRY(ei, key_field(j, where, "sk_ei"));
  VPNLAB_TRY(er, key_field(j, where, "sk_er"));
  VPNLAB_TRY(ai, key_field(j, where, "sk_ai"));
  VPNLAB_TRY(ar, key_field(j, where, "sk_ar"));
  i.tunnel = tunnel;
  i.spi_i = spi_i;
  i.spi_r = spi_r;
  i.encr = static_cast<esp::EncrAlgorithm>(encr);
  i.key_bits = bits;
  i.integ = static_cast<esp::IntegAlgorithm>(integ);
  i.sk_ei = std::move(ei);
  i.sk_er = std::move(er);
  i.sk_ai = std::move(ai);
  i.sk_ar = std::move(ar);
  i.live = j.value("live", true);
  return i;
}

#undef VPNLAB_TRY

}  // namespace

Checked<SaKeySet> key_set_from_json(const nlohmann::json& j) {
  SaKeySet set;
  if (!j.is_object() || !j.contains("esp") || !j["esp"].is_array() || !j.contains("ike") ||
      !j["ike"].is_array()) {
    return fail(make_error_code(errc::invalid_value), "keys: esp and ike must be arrays");
  }
  for (std::size_t n = 0; n < j["esp"].size(); ++n) {
    auto e = esp_from_json(j["esp"][n], "keys.esp[" + std::to_string(n) + "]");
    if (!e) return Unexpected{e.error()};
    set.esp.push_back(std::move(*e));
  }
  for (std::size_t n = 0; n < j["ike"].size(); ++n) {
    auto i = ike_from_json(j["ike"][n], "keys.ike[" + std::to_string(n) + "]");
    if (!i) return Unexpected{i.error()};
    set.ike.push_back(std::move(*i));
  }
  return set;
}

}  // namespace vpnlab::topology
