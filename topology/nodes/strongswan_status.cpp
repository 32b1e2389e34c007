// A charon node's tunnels, read over vici (list-sas), in the shape a vpnlab gateway's status
// has (topology/gateway/gateway.cpp tunnel_status, ike_status.cpp), so both consoles,
// `status --sas`, `up --wait` and the supervisor read a real node as they read a vpnlab one.
// Fields from charon's list-sa events (strongSwan src/libcharon/plugins/vici/README.md):
// IKE_SA state, initiator, initiator-spi/responder-spi, encr-alg/-keysize, integ-alg,
// prf-alg, dh-group, remote-host/-port, established and rekey-time (seconds); CHILD_SA
// state, spi-in/-out, bytes-/packets-in/-out, install-time, rekey-time.
#include <cctype>
#include <chrono>
#include <ctime>

#include "topology/nodes/strongswan.hpp"
#include "topology/nodes/vici.hpp"

namespace vpnlab::topology::nodes {
namespace {

using nlohmann::json;

std::string utc_at(std::int64_t epoch) {
  std::time_t tt = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::int64_t num(const json& o, const char* key, std::int64_t dflt = 0) {
  if (!o.contains(key) || !o[key].is_string()) return dflt;
  try {
    return std::stoll(o[key].get<std::string>());
  } catch (...) {
    return dflt;
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// charon's algorithm names -> the proposal keywords vpnlab's status uses (aes256, sha1,
// prfsha256, modp2048, ecp256, aes256gcm16).
std::string cipher(const json& sa) {
  std::string e = sa.value("encr-alg", ""), bits = sa.value("encr-keysize", "");
  if (e == "AES_CBC") return "aes" + bits;
  if (e.rfind("AES_GCM_", 0) == 0) return "aes" + bits + "gcm" + e.substr(8);
  return lower(e) + bits;
}
std::string integ(const std::string& a) {
  if (a.empty()) return "";
  if (a == "HMAC_SHA1_96") return "sha1";
  if (a.rfind("HMAC_SHA2_", 0) == 0) return "sha" + a.substr(10, 3);
  return lower(a);
}
std::string prf(const std::string& a) {
  if (a == "PRF_HMAC_SHA1") return "prfsha1";
  if (a.rfind("PRF_HMAC_SHA2_", 0) == 0) return "prfsha" + a.substr(14, 3);
  return lower(a);
}
std::string group(const std::string& g) {
  if (g.empty()) return "";
  if (g == "MODP_2048_256") return "modp2048s256";
  if (g == "MODP_2048_224") return "modp2048s224";
  if (g == "MODP_1024_160") return "modp1024s160";
  std::string out;
  for (char c : lower(g)) {
    if (c != '_') out += c;
  }
  return out;
}
std::string suite(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!p.empty()) out += (out.empty() ? "" : "-") + p;
  }
  return out;
}

json child_json(const json& c, std::int64_t now) {
  json j = {{"state", c.value("state", "")},
            {"spi_in", "0x" + c.value("spi-in", "")},
            {"spi_out", "0x" + c.value("spi-out", "")},
            {"suite",
             suite({cipher(c), integ(c.value("integ-alg", "")), group(c.value("dh-group", ""))})},
            {"outbound_active", c.value("state", "") == "INSTALLED"},
            {"rekey_in_s", c.contains("rekey-time") ? json(num(c, "rekey-time")) : json()},
            {"established",
             c.contains("install-time") ? json(utc_at(now - num(c, "install-time"))) : json()},
            {"in",
             {{"bytes", num(c, "bytes-in")},
              {"packets", num(c, "packets-in")},
              {"auth_failures", 0},
              {"replay_drops", 0}}},
            {"out", {{"bytes", num(c, "bytes-out")}, {"packets", num(c, "packets-out")}}}};
  return j;
}

json ike_json(const json& sa, std::int64_t now) {
  json children = json::array();
  const json child_sas = sa.value("child-sas", json::object());
  for (const auto& [name, c] : child_sas.items()) {
    children.push_back(child_json(c, now));
  }
  return {{"state", sa.value("state", "")},
          {"role", sa.value("initiator", "no") == "yes" ? "initiator" : "responder"},
          {"spis", sa.value("initiator-spi", "") + "/" + sa.value("responder-spi", "")},
          {"suite", suite({cipher(sa), integ(sa.value("integ-alg", "")),
                           prf(sa.value("prf-alg", "")), group(sa.value("dh-group", ""))})},
          {"remote", sa.value("remote-host", "") + ":" + sa.value("remote-port", "")},
          {"rekey_in_s", sa.contains("rekey-time") ? json(num(sa, "rekey-time")) : json()},
          {"established",
           sa.contains("established") ? json(utc_at(now - num(sa, "established"))) : json()},
          {"child_sas", children}};
}

json tunnel_base(const GatewayPlan& plan, const TunnelPlan& t) {
  return {{"name", t.name},
          {"device", t.device},
          {"status", "DOWN"},
          {"outside_local", t.local_outside.to_string()},
          {"outside_remote", t.remote_outside.to_string()},
          {"inside_cidr", t.inside.to_string()},
          {"inside_local", t.local_inside.to_string()},
          {"inside_remote", t.remote_inside.to_string()},
          {"keying", plan.keying},
          {"implementation", "strongswan"},
          {"aws_vpn_connection", t.aws_vpn_connection},
          {"aws_tunnel_number", t.aws_tunnel_number},
          {"azure_connection", t.azure_connection},
          {"last_error", ""},
          {"ike_sas", json::array()},
          {"counters", json::object()}};
}

}  // namespace

json strongswan_tunnels_from(const GatewayPlan& plan, const json& list_sas, std::int64_t now) {
  json tunnels = json::array();
  for (const auto& t : plan.tunnels) {
    json j = tunnel_base(plan, t);
    std::uint64_t rx = 0, tx = 0;
    std::int64_t up_since = 0;
    for (const auto& event : list_sas) {
      if (!event.is_object() || !event.contains(t.device)) continue;  // keyed by connection
      const json& sa = event[t.device];
      json ike = ike_json(sa, now);
      const json child_sas = sa.value("child-sas", json::object());
      for (const auto& [name, c] : child_sas.items()) {
        if (c.value("state", "") != "INSTALLED") continue;
        rx += static_cast<std::uint64_t>(num(c, "bytes-in"));
        tx += static_cast<std::uint64_t>(num(c, "bytes-out"));
        if (sa.value("state", "") == "ESTABLISHED") {
          std::int64_t since = now - num(c, "install-time");
          up_since = up_since == 0 ? since : std::min(up_since, since);
        }
      }
      j["ike_sas"].push_back(std::move(ike));
    }
    if (up_since != 0) {
      j["status"] = "UP";
      j["last_status_change"] = utc_at(up_since);
    } else {
      j["last_error"] = j["ike_sas"].empty() ? "charon: no IKE_SA for " + t.device
                                             : "charon: no installed CHILD_SA";
    }
    j["counters"] = {{"dp.rx.bytes", rx}, {"dp.tx.bytes", tx}};
    tunnels.push_back(std::move(j));
  }
  return tunnels;
}

json strongswan_tunnels(const GatewayPlan& plan, const NodePaths& paths) {
  auto events = vici_stream(paths.file("charon.vici"), "list-sas", "list-sa");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (!events) {
    json tunnels = strongswan_tunnels_from(plan, json::array(), now);
    for (auto& t : tunnels) t["last_error"] = "charon not answering: " + events.error().message;
    return tunnels;
  }
  events->pop_back();  // the command's (empty) response
  return strongswan_tunnels_from(plan, json(*events), now);
}

}  // namespace vpnlab::topology::nodes
