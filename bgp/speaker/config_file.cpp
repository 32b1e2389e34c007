#include "bgp/speaker/config_file.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "base/errors.hpp"
#include "bgp/core/cloud.hpp"

namespace vpnlab::bgp {

namespace {

struct Parser {
  SpeakerConfig cfg;
  Personality personality;
  bool reject_vnet_equal = false;
  std::size_t line_no = 0;

  Unexpected<Error> error(const std::string& what) const {
    return fail(make_error_code(errc::invalid_value),
                "speaker config line " + std::to_string(line_no) + ": " + what);
  }

  template <typename T>
  std::optional<T> number(const std::string& s) const {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
  }

  std::optional<bool> flag(const std::string& s) const {
    if (s == "on" || s == "true" || s == "yes") return true;
    if (s == "off" || s == "false" || s == "no") return false;
    return std::nullopt;
  }

  Checked<void> global(const std::string& key, const std::string& value) {
    if (key == "asn") {
      auto v = number<std::uint32_t>(value);
      if (!v) return error("asn '" + value + "' is not a number");
      cfg.core.asn = Asn{*v};
    } else if (key == "router-id") {
      auto a = Ipv4Address::parse(value);
      if (!a) return error("router-id '" + value + "' is not an IPv4 address");
      cfg.core.router_id = *a;
    } else if (key == "personality") {
      auto p = personality_by_name(value, {});
      if (!p) return error("unknown personality '" + value + "'");
      personality = *p;
      cfg.core.multipath = p->multipath;
      reject_vnet_equal = p->name == "azure-vpngw";
    } else if (key == "port") {
      auto v = number<std::uint16_t>(value);
      if (!v) return error("port '" + value + "' is not a port number");
      cfg.port = *v;
    } else if (key == "multipath") {
      auto f = flag(value);
      if (!f) return error("multipath wants on/off");
      cfg.core.multipath = *f;
    } else if (key == "network") {
      auto p = Ipv4Prefix::parse(value);
      if (!p) return error("network '" + value + "' is not a CIDR");
      cfg.core.networks.push_back(*p);
    } else {
      return error("unknown keyword '" + key + "'");
    }
    return {};
  }

  Checked<void> seconds(const std::string& key, const std::string& value, Seconds& out) {
    auto v = number<std::uint32_t>(value);
    if (!v) return error(key + " '" + value + "' is not a number of seconds");
    out = Seconds(*v);
    return {};
  }

  Checked<void> peer_option(SpeakerPeerConfig& p, const std::string& key,
                            const std::string& value) {
    auto& s = p.peer.session;
    if (key == "asn") {
      auto v = number<std::uint32_t>(value);
      if (!v) return error("peer asn '" + value + "' is not a number");
      s.peer_asn = Asn{*v};
    } else if (key == "local") {
      auto a = Ipv4Address::parse(value);
      if (!a) return error("local '" + value + "' is not an IPv4 address");
      s.local_address = *a;
    } else if (key == "device") {
      p.peer.device = value;
    } else if (key == "bind-device") {
      p.bind_device = value;
    } else if (key == "hold") {
      return seconds(key, value, s.hold_time);
    } else if (key == "keepalive") {
      return seconds(key, value, s.keepalive_time);
    } else if (key == "connect-retry") {
      return seconds(key, value, s.connect_retry_time);
    } else if (key == "idle-hold") {
      return seconds(key, value, s.idle_hold_time);
    } else if (key == "passive" || key == "restart-families") {
      auto f = flag(value);
      if (!f) return error(key + " wants on/off");
      (key == "passive" ? s.passive : s.graceful_restart_families) = *f;
    } else if (key == "max-prefix" || key == "med" || key == "prepend") {
      auto v = number<std::uint32_t>(value);
      if (!v) return error(key + " '" + value + "' is not a number");
      if (key == "max-prefix") p.peer.import.max_prefixes = *v;
      if (key == "med") p.peer.export_policy.med = *v;
      if (key == "prepend") p.peer.export_policy.as_path_prepend = *v;
    } else {
      return error("unknown peer option '" + key + "'");
    }
    return {};
  }

  Checked<void> peer(std::istringstream& words, const std::string& address) {
    auto a = Ipv4Address::parse(address);
    if (!a) return error("peer '" + address + "' is not an IPv4 address");
    SpeakerPeerConfig p;
    auto& s = p.peer.session;
    s.peer_address = *a;
    s.hold_time = personality.hold_time;
    s.keepalive_time = personality.keepalive_time;
    s.passive = personality.passive;
    p.peer.import = personality.import;
    p.peer.export_policy = personality.export_policy;
    std::string key, value;
    while (words >> key) {
      if (!(words >> value)) return error("peer option '" + key + "' has no value");
      if (auto r = peer_option(p, key, value); !r) return r;
    }
    if (s.peer_asn.value == 0) return error("peer " + address + " needs an asn");
    if (s.local_address.value == 0) return error("peer " + address + " needs a local address");
    cfg.peers.push_back(std::move(p));
    return {};
  }

  Checked<void> line(const std::string& raw) {
    std::string text = raw.substr(0, raw.find('#'));
    std::istringstream words(text);
    std::string key, value;
    if (!(words >> key)) return {};
    if (!(words >> value)) return error("'" + key + "' has no value");
    if (key == "peer") return peer(words, value);
    std::string extra;
    if (words >> extra) return error("unexpected '" + extra + "' after " + key);
    return global(key, value);
  }

  Checked<SpeakerConfig> finish() {
    if (cfg.core.asn.value == 0) return error("missing 'asn'");
    for (auto& p : cfg.peers) {
      auto& s = p.peer.session;
      s.local_asn = cfg.core.asn;
      s.router_id = cfg.core.router_id.value ? cfg.core.router_id : s.local_address;
      // cloud-facts: "Prefix filtering" [Z-FAQ-BGP]: Azure rejects its own VNet prefixes.
      if (reject_vnet_equal) p.peer.import.reject_equal_to = cfg.core.networks;
    }
    if (cfg.core.router_id.value == 0 && !cfg.peers.empty())
      cfg.core.router_id = cfg.peers.front().peer.session.local_address;
    return cfg;
  }
};

}  // namespace

Checked<SpeakerConfig> parse_speaker_config(const std::string& text) {
  Parser p;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    ++p.line_no;
    if (auto r = p.line(raw); !r) return Unexpected<Error>{r.error()};
  }
  ++p.line_no;
  return p.finish();
}

Checked<SpeakerConfig> load_speaker_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(errno_code(errno), "cannot read speaker config " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_speaker_config(ss.str());
}

}  // namespace vpnlab::bgp
