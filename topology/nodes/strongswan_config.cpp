// swanctl.conf and strongswan.conf for a gateway node run by charon, from its plan: the text
// `vpnlab export strongswan --node N` prints is the file `vpnlab up` loads (with the PSKs).
//
// Mapping of the plan (cloud-facts §1.1 [A-TUN] for AWS, §2.5 [Z-DEV] for Azure):
//   ike_proposals / esp_proposals  -> proposals / esp_proposals (already strongSwan syntax)
//   lifetime L, rekey margin M, fuzz F % -> rekey_time = L - M, over/life = L,
//                                           rand_time = M * F / 100 (charon subtracts a
//                                           random share of it, as AWS's fuzz does)
//   child_lifetime_kb              -> life_bytes, rekey_bytes at the time margin's share
//   start: initiate | both         -> start_action = start; respond_only -> none
//   dpd_timeout_s T                -> dpd_delay = T/3; T itself is charon's (global)
//                                     retransmission schedule: 2 retransmits T/3 apart
// Every time is scaled by the lab's time factor, as the vpnlab gateway scales its timers.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <span>

#include "topology/nodes/strongswan.hpp"

namespace vpnlab::topology::nodes {
namespace {

std::int64_t scaled(std::int64_t seconds, double factor) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(seconds) * factor));
}

std::string secs(std::int64_t seconds, double factor) {
  return std::to_string(scaled(seconds, factor)) + "s";
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string base64(std::span<const unsigned char> data) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (i + 1 < data.size()) v |= std::uint32_t{data[i + 1]} << 8;
    if (i + 2 < data.size()) v |= std::uint32_t{data[i + 2]};
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < data.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < data.size() ? k[v & 63] : '=';
  }
  return out;
}

// A PSK as swanctl reads it: quoted when plain, else base64 ("0s" prefix), so no character
// of an Azure key (printable ASCII) can break the file.
std::string psk_value(const SecretBytes& psk) {
  auto b = psk.expose();
  std::string text;
  for (unsigned char c : b) text += static_cast<char>(c);
  bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  return plain ? "\"" + text + "\"" : "0s" + base64(b);
}

// The DPD interval: a third of the plan's timeout, so three unanswered probes declare the
// peer dead after about the timeout (AWS: every 10 s, dead after 30 s [A-TUN]).
std::int64_t dpd_delay(const GatewayPlan& plan, const TunnelPlan& t) {
  return std::max<std::int64_t>(1, scaled(t.dpd_timeout_s, plan.time_factor) / 3);
}

std::string dpd_action(const GatewayPlan& plan, const TunnelPlan& t) {
  // cloud-facts "Connection modes" [Z-MODE]: an Azure responder-only end never initiates, and
  // charon's restart would initiate; it clears and waits for the peer instead. An AWS tunnel's
  // startup action add does not stop its DPD restart ("DPD timeout action" [A-TUN]).
  if (plan.cloud == Cloud::azure && t.start == IkeStart::respond_only) return "clear";
  return t.dpd_action == "restart" ? "restart" : t.dpd_action == "none" ? "none" : "clear";
}

void child_lifetimes(std::string& out, const GatewayPlan& plan, const TunnelPlan& t) {
  double f = plan.time_factor;
  std::int64_t margin = std::min(t.rekey_margin_s, t.child_lifetime_s / 2);
  out += "        rekey_time = " + secs(t.child_lifetime_s - margin, f) + "\n";
  out += "        life_time = " + secs(t.child_lifetime_s, f) + "\n";
  out += "        rand_time = " + secs(margin * t.rekey_fuzz_percent / 100, f) + "\n";
  if (t.child_lifetime_kb > 0) {
    std::int64_t bytes = t.child_lifetime_kb * 1024;
    out += "        life_bytes = " + std::to_string(bytes) + "\n";
    out += "        rekey_bytes = " +
           std::to_string(bytes - bytes * margin / std::max<std::int64_t>(1, t.child_lifetime_s)) +
           "\n";
  }
}

void connection(std::string& out, const GatewayPlan& plan, const TunnelPlan& t) {
  double f = plan.time_factor;
  std::int64_t margin = std::min(t.rekey_margin_s, t.ike_lifetime_s / 2);
  Selectors ts = tunnel_selectors(plan, t);
  bool starts = t.start != IkeStart::respond_only;
  out += "  # " + t.name + ": " + t.local_outside.to_string() + " <-> " +
         t.remote_outside.to_string() + ", BGP " + t.local_inside.to_string() + " <-> " +
         t.remote_inside.to_string() + "\n";
  out += "  " + t.device + " {\n";
  out += "    version = 2\n";
  out += "    local_addrs = " + t.local_outside.to_string() + "\n";
  out += "    remote_addrs = " + t.remote_outside.to_string() + "\n";
  out += "    proposals = " + join(t.ike_proposals) + "\n";
  out += "    rekey_time = " + secs(t.ike_lifetime_s - margin, f) + "\n";
  out += "    over_time = " + secs(margin, f) + "\n";
  out += "    rand_time = " + secs(margin * t.rekey_fuzz_percent / 100, f) + "\n";
  out += "    reauth_time = 0s\n";
  out += "    dpd_delay = " + std::to_string(dpd_delay(plan, t)) + "s\n";
  out += "    encap = no\n    mobike = no\n";
  if (starts) out += "    keyingtries = 0\n";
  out += "    local { auth = psk\n      id = " + t.local_outside.to_string() + " }\n";
  out += "    remote { auth = psk\n      id = " + t.remote_outside.to_string() + " }\n";
  out += "    children {\n      " + t.device + " {\n";
  out += "        local_ts = " + join(ts.local) + "\n";
  out += "        remote_ts = " + join(ts.remote) + "\n";
  out += "        esp_proposals = " + join(t.esp_proposals) + "\n";
  out += "        mode = tunnel\n";
  child_lifetimes(out, plan, t);
  out += "        replay_window = " + std::to_string(t.replay_window) + "\n";
  out += "        dpd_action = " + dpd_action(plan, t) + "\n";
  out += "        start_action = " + std::string(starts ? "start" : "none") + "\n";
  out += "        close_action = none\n";
  out += "      }\n    }\n  }\n";
}

}  // namespace

Selectors tunnel_selectors(const GatewayPlan& plan, const TunnelPlan& t) {
  Selectors s;
  s.local.push_back(t.inside.to_string());
  s.remote.push_back(t.inside.to_string());
  for (const auto& p : plan.announce) s.local.push_back(p.to_string());
  s.remote.push_back("0.0.0.0/0");  // route-based: whatever BGP learns behind the peer
  return s;
}

std::string swanctl_config(const GatewayPlan& plan, bool show_secrets) {
  std::string out = "# swanctl.conf for " + plan.node + " (" + plan.display_name + ", lab " +
                    plan.lab + "), generated by vpnlab from the lab description\n";
  if (plan.time_factor != 1.0) {
    out += "# times are scaled by the lab's time factor " + std::to_string(plan.time_factor) + "\n";
  }
  for (const auto& n : strongswan_notes(plan)) out += "# note: " + n + "\n";
  out += "#\n# interface setup, once charon runs (kernel-libipsec created ipsec0):\n";
  std::string setup = interface_setup(plan);
  for (std::size_t at = 0; at < setup.size();) {
    std::size_t nl = setup.find('\n', at);
    out += "#   " + setup.substr(at, nl - at) + "\n";
    at = nl == std::string::npos ? setup.size() : nl + 1;
  }
  out += "\nconnections {\n";
  for (const auto& t : plan.tunnels) connection(out, plan, t);
  out += "}\n\nsecrets {\n";
  for (const auto& t : plan.tunnels) {
    out += "  ike-" + t.device + " {\n";
    out += "    id-local = " + t.local_outside.to_string() + "\n";
    out += "    id-remote = " + t.remote_outside.to_string() + "\n";
    out += "    secret = " +
           (show_secrets ? psk_value(t.psk) : "\"<redacted: vpnlab export --show-secrets>\"") +
           "\n  }\n";
  }
  out += "}\n";
  return out;
}

std::string strongswan_config(const GatewayPlan& plan, const NodePaths& paths) {
  // charon's dead-peer timeout is its retransmission schedule (RFC 7296 2.4 leaves it to the
  // implementation): base 1, two retransmits T/3 apart -> given up after T.
  std::int64_t step = 0;
  for (const auto& t : plan.tunnels) {
    std::int64_t d = dpd_delay(plan, t);
    step = step == 0 ? d : std::min(step, d);
  }
  if (step == 0) step = 10;
  std::string vici = "unix://" + paths.file("charon.vici");
  return "# strongswan.conf for charon on " + plan.node + " (lab " + plan.lab +
         "), generated by vpnlab\n"
         "charon {\n"
         "  load_modular = no\n"
         "  load = random nonce openssl aes sha1 sha2 hmac gmp kdf kernel-libipsec "
         "kernel-netlink socket-default vici\n"
         "  install_routes = no\n  install_virtual_ip = no\n"
         // kernel-libipsec installs a route into ipsec0 per outbound policy whatever
         // install_routes says (0.0.0.0/0 -> a default route, which would swallow the node's
         // own traffic); its table is looked up after main, so only the BGP routes and the
         // connected /30s lead into ipsec0.
         "  routing_table_prio = 32767\n"
         "  retransmit_base = 1\n  retransmit_timeout = " +
         std::to_string(step) +
         "\n  retransmit_tries = 2\n"
         "  plugins {\n"
         "    vici { socket = " +
         vici +
         " }\n"
         "  }\n"
         "  filelog {\n    vpnlab {\n      path = " +
         paths.file("charon.log") +
         "\n      time_format = %F %T\n      default = 1\n      ike = 2\n      cfg = 1\n"
         "      flush_line = yes\n      ike_name = yes\n    }\n  }\n"
         "}\n";
}

std::string interface_setup(const GatewayPlan& plan) {
  std::string out = "ip link set ipsec0 up\n";
  for (const auto& t : plan.tunnels) {
    out += "ip addr add " + t.local_inside.to_string() + "/" + std::to_string(t.inside.length) +
           " dev ipsec0   # " + t.device + ": BGP with " + t.remote_inside.to_string() + "\n";
  }
  out += "sysctl -w net.ipv4.ip_forward=1\n";
  return out;
}

std::vector<std::string> strongswan_notes(const GatewayPlan& plan) {
  std::vector<std::string> out;
  std::string data = plan.announce.empty() ? "(none)" : plan.announce.front().to_string();
  out.push_back(
      "kernel-libipsec has one ipsec0 device for all " + std::to_string(plan.tunnels.size()) +
      " tunnels and picks the SA by policy, so each CHILD_SA has narrowed selectors: its "
      "inside /30 on both sides (the BGP session) plus " +
      data +
      " <-> 0.0.0.0/0 (data). The data selector is the same on every tunnel: charon sends "
      "data on the CHILD_SA installed last and moves to another only when that CHILD_SA is "
      "deleted (DELETE, DPD), not when BGP withdraws its routes; no ECMP over this node's "
      "tunnels (a vpnlab node spreads flows over all of them). Inbound, every tunnel accepts "
      "data, so the peer may still spread its flows.");
  if (plan.announce.size() > 1) {
    // Seen in `vpnlab interop --case prefix-limit`: charon answers TS_UNACCEPTABLE.
    out.push_back("the node has " + std::to_string(plan.announce.size()) +
                  " prefixes: kernel-libipsec installs the route to 0.0.0.0/0 once per local "
                  "selector, the second install fails and charon refuses the CHILD_SA "
                  "(TS_UNACCEPTABLE); give the node one prefix (a covering one) to run it on "
                  "charon with kernel-libipsec");
  }
  std::vector<std::string> waiting;
  for (const auto& t : plan.tunnels) {
    if (plan.cloud == Cloud::azure && t.start == IkeStart::respond_only &&
        t.dpd_action == "restart")
      waiting.push_back(t.device);
  }
  if (!waiting.empty()) {
    out.push_back(join(waiting) +
                  ": the cloud restarts after DPD, but a responder-only end never initiates: "
                  "dpd_action = clear, the peer re-initiates");
  }
  out.push_back(
      "ESP travels in UDP 4500: kernel-libipsec needs UDP encapsulation (charon fakes a NAT "
      "for it), where the clouds send raw ESP between themselves");
  out.push_back(
      "DPD: charon declares a peer dead when its retransmissions go unanswered; the "
      "schedule is global, so the shortest DPD timeout of the node's tunnels applies to all");
  out.push_back(
      "traffic counters are charon's per CHILD_SA: the consoles' bytes restart at each "
      "rekey (a vpnlab node counts per tunnel)");
  return out;
}

}  // namespace vpnlab::topology::nodes
