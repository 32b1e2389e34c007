#include "dataplane/linux/manual_config.hpp"

#include <fstream>
#include <sstream>

#include "dataplane/core/errors.hpp"

namespace vpnlab::dataplane {

namespace {

using esp::EncrAlgorithm;
using esp::IntegAlgorithm;

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  std::string w;
  while (in >> w) {
    if (w[0] == '#') break;
    out.push_back(w);
  }
  return out;
}

struct Parser {
  std::vector<ManualTunnel> tunnels;
  std::size_t line_no = 0;

  Unexpected<Error> error(const std::string& what) const {
    return fail(make_error_code(errc::bad_config),
                "manual config line " + std::to_string(line_no) + ": " + what);
  }

  Checked<void> sa(const std::vector<std::string>& w, SaConfig& out) {
    if (w.size() < 3 || w.size() > 4) return error("'" + w[0] + "' wants SPI ENCR_KEY [INTEG_KEY]");
    std::size_t used = 0;
    unsigned long spi = 0;
    try {
      spi = std::stoul(w[1], &used, 0);
    } catch (...) {
      used = 0;
    }
    if (used != w[1].size() || spi < 256 || spi > 0xffffffffUL) {
      return error("SPI '" + w[1] + "' must be a number in 256..0xffffffff (RFC 4303 2.1)");
    }
    auto enc = from_hex(w[2]);
    if (!enc) return error("encryption key of '" + w[0] + "' is not hex");
    out.spi = esp::Spi{static_cast<std::uint32_t>(spi)};
    out.keys.encr_key = SecretBytes(*enc);
    if (w.size() == 4) {
      auto integ = from_hex(w[3]);
      if (!integ) return error("integrity key of '" + w[0] + "' is not hex");
      out.keys.integ_key = SecretBytes(*integ);
    }
    return {};
  }

  Checked<void> address(const std::string& text, Ipv4Address& out) {
    auto a = Ipv4Address::parse(text);
    if (!a) return error("'" + text + "' is not an IPv4 address");
    out = *a;
    return {};
  }

  Checked<void> line(const std::vector<std::string>& w) {
    if (w[0] == "tunnel") {
      if (w.size() != 2) return error("'tunnel' wants one name");
      tunnels.emplace_back().tunnel.name = w[1];
      return {};
    }
    if (tunnels.empty()) return error("'" + w[0] + "' before the first 'tunnel'");
    ManualTunnel& t = tunnels.back();
    if (w.size() < 2) return error("'" + w[0] + "' wants a value");
    if (w[0] == "in") return sa(w, t.inbound);
    if (w[0] == "out") return sa(w, t.outbound);
    if (w.size() != 2) return error("'" + w[0] + "' wants exactly one value");
    const std::string& v = w[1];
    if (w[0] == "inside") {
      auto p = Ipv4Prefix::parse(v, false);
      if (!p) return error("inside '" + v + "' is not ADDRESS/LENGTH");
      t.tunnel.inside_address = p->address;
      t.tunnel.inside_length = p->length;
    } else if (w[0] == "local") {
      return address(v, t.tunnel.outer_local);
    } else if (w[0] == "remote") {
      return address(v, t.tunnel.outer_remote);
    } else if (w[0] == "encap") {
      if (v != "udp" && v != "raw") return error("encap '" + v + "' is neither udp nor raw");
      t.tunnel.udp_encap = v == "udp";
    } else if (w[0] == "suite") {
      auto s = parse_suite(v);
      if (!s) return error("unsupported suite '" + v + "'");
      t.tunnel.suite = *s;
    } else if (w[0] == "route") {
      auto p = Ipv4Prefix::parse(v);
      if (!p) return error("route '" + v + "' is not a CIDR");
      t.tunnel.routes.push_back(*p);
    } else if (w[0] == "mtu") {
      int mtu = std::atoi(v.c_str());
      if (mtu < 576 || mtu > 9000) return error("mtu '" + v + "' outside 576..9000");
      t.tunnel.mtu = static_cast<std::uint16_t>(mtu);
    } else {
      return error("unknown keyword '" + w[0] + "'");
    }
    return {};
  }

  Checked<void> finish() {
    for (auto& t : tunnels) {
      if (t.tunnel.outer_local.value == 0 || t.tunnel.outer_remote.value == 0 ||
          t.inbound.spi.value == 0 || t.outbound.spi.value == 0) {
        return fail(make_error_code(errc::bad_config),
                    "tunnel " + t.tunnel.name + ": local, remote, in and out are required");
      }
      for (SaConfig* sa : {&t.inbound, &t.outbound}) {
        sa->suite = t.tunnel.suite;
        sa->outer.udp_encap = t.tunnel.udp_encap;
      }
      t.inbound.outer.local = t.outbound.outer.local = t.tunnel.outer_local;
      t.inbound.outer.remote = t.outbound.outer.remote = t.tunnel.outer_remote;
    }
    return {};
  }
};

}  // namespace

std::optional<esp::SuiteId> parse_suite(std::string_view name) {
  static const esp::SuiteId kSuites[] = {
      {EncrAlgorithm::aes_gcm_16, 128, IntegAlgorithm::none},
      {EncrAlgorithm::aes_gcm_16, 256, IntegAlgorithm::none},
      {EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha1_96},
      {EncrAlgorithm::aes_cbc, 128, IntegAlgorithm::hmac_sha2_256_128},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha1_96},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_256_128},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_384_192},
      {EncrAlgorithm::aes_cbc, 256, IntegAlgorithm::hmac_sha2_512_256},
      {EncrAlgorithm::chacha20_poly1305, 256, IntegAlgorithm::none},
  };
  for (const auto& s : kSuites) {
    if (esp::suite_name(s) == name) return s;
  }
  return std::nullopt;
}

Checked<std::vector<ManualTunnel>> parse_manual_config(std::string_view text) {
  Parser p;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++p.line_no;
    auto w = words(text.substr(start, end - start));
    if (!w.empty()) {
      if (auto r = p.line(w); !r) return Unexpected{r.error()};
    }
    start = end + 1;
  }
  if (auto r = p.finish(); !r) return Unexpected{r.error()};
  return std::move(p.tunnels);
}

Checked<std::vector<ManualTunnel>> load_manual_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(make_error_code(errc::bad_config), "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_manual_config(ss.str());
}

Checked<void> install_manual(SaInstaller& installer, std::vector<ManualTunnel>& tunnels) {
  for (auto& t : tunnels) {
    const std::string& n = t.tunnel.name;
    esp::Spi out_spi = t.outbound.spi;
    if (auto r = installer.add_inbound(n, std::move(t.inbound)); !r) {
      return fail(r.error(), "tunnel " + n + ": inbound SA: " + r.error().message());
    }
    if (auto r = installer.add_outbound(n, std::move(t.outbound)); !r) {
      return fail(r.error(), "tunnel " + n + ": outbound SA: " + r.error().message());
    }
    if (auto r = installer.switch_outbound(n, out_spi); !r) {
      return fail(r.error(), "tunnel " + n + ": switch: " + r.error().message());
    }
  }
  return {};
}

}  // namespace vpnlab::dataplane
