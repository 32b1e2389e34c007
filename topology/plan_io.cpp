// GatewayPlan <-> YAML: the file `vpnlab gateway --config PLAN` reads.
#include <yaml-cpp/yaml.h>

#include "base/errors.hpp"
#include "topology/plan.hpp"

namespace vpnlab::topology {
namespace {

std::string psk_text(const SecretBytes& s) {
  auto b = s.expose();
  return std::string(b.begin(), b.end());
}

void emit_tunnel(YAML::Emitter& e, const TunnelPlan& t) {
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << t.name;
  e << YAML::Key << "device" << YAML::Value << t.device;
  e << YAML::Key << "local_outside" << YAML::Value << t.local_outside.to_string();
  e << YAML::Key << "remote_outside" << YAML::Value << t.remote_outside.to_string();
  e << YAML::Key << "inside" << YAML::Value << t.inside.to_string();
  e << YAML::Key << "local_inside" << YAML::Value << t.local_inside.to_string();
  e << YAML::Key << "remote_inside" << YAML::Value << t.remote_inside.to_string();
  e << YAML::Key << "psk" << YAML::Value << psk_text(t.psk);
  e << YAML::Key << "start" << YAML::Value << ike_start_name(t.start);
  e << YAML::Key << "ike_proposals" << YAML::Value << YAML::Flow << t.ike_proposals;
  e << YAML::Key << "esp_proposals" << YAML::Value << YAML::Flow << t.esp_proposals;
  e << YAML::Key << "ike_lifetime_s" << YAML::Value << t.ike_lifetime_s;
  e << YAML::Key << "child_lifetime_s" << YAML::Value << t.child_lifetime_s;
  e << YAML::Key << "child_lifetime_kb" << YAML::Value << t.child_lifetime_kb;
  e << YAML::Key << "rekey_margin_s" << YAML::Value << t.rekey_margin_s;
  e << YAML::Key << "rekey_fuzz_percent" << YAML::Value << t.rekey_fuzz_percent;
  e << YAML::Key << "replay_window" << YAML::Value << t.replay_window;
  e << YAML::Key << "dpd_timeout_s" << YAML::Value << t.dpd_timeout_s;
  e << YAML::Key << "dpd_action" << YAML::Value << t.dpd_action;
  e << YAML::Key << "aws_vpn_connection" << YAML::Value << t.aws_vpn_connection;
  e << YAML::Key << "aws_tunnel_number" << YAML::Value << t.aws_tunnel_number;
  e << YAML::Key << "azure_connection" << YAML::Value << t.azure_connection;
  if (t.limit_gbps > 0) e << YAML::Key << "limit_gbps" << YAML::Value << t.limit_gbps;
  if (t.limit_pps > 0) e << YAML::Key << "limit_pps" << YAML::Value << t.limit_pps;
  e << YAML::EndMap;
}

void emit_neighbor(YAML::Emitter& e, const BgpNeighborPlan& n) {
  e << YAML::BeginMap;
  e << YAML::Key << "peer" << YAML::Value << n.peer.to_string();
  e << YAML::Key << "peer_asn" << YAML::Value << n.peer_asn;
  e << YAML::Key << "local" << YAML::Value << n.local.to_string();
  e << YAML::Key << "tunnel" << YAML::Value << n.tunnel;
  e << YAML::Key << "device" << YAML::Value << n.device;
  e << YAML::Key << "hold_time_s" << YAML::Value << n.hold_time_s;
  e << YAML::Key << "keepalive_s" << YAML::Value << n.keepalive_s;
  e << YAML::Key << "passive" << YAML::Value << n.passive;
  e << YAML::Key << "max_prefixes" << YAML::Value << n.max_prefixes;
  e << YAML::Key << "max_prefix_action" << YAML::Value << n.max_prefix_action;
  e << YAML::EndMap;
}

// underlay: {host, address (one A.B.C.D/N or a list), gateway (optional)}.
void emit_underlay(YAML::Emitter& e, const HostUnderlay& u) {
  e << YAML::Key << "underlay" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "host" << YAML::Value << u.interface;
  e << YAML::Key << "address" << YAML::Value;
  if (u.addresses.size() == 1) {
    e << u.addresses.front().to_string();
  } else {
    e << YAML::Flow << YAML::BeginSeq;
    for (const auto& a : u.addresses) e << a.to_string();
    e << YAML::EndSeq;
  }
  if (u.gateway) e << YAML::Key << "gateway" << YAML::Value << u.gateway->to_string();
  e << YAML::EndMap;
}

template <typename T>
std::vector<std::string> strings(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.to_string());
  return out;
}

// Reading: a missing or malformed field throws inside; the caller turns it into an error
// naming the field (yaml-cpp reports by exception; plans are written by us, read by us).
struct FieldError {
  std::string field;
  std::string detail = "is missing or malformed";
};

template <typename T>
T get(const YAML::Node& n, const char* key) {
  if (!n[key]) throw FieldError{key};
  try {
    return n[key].as<T>();
  } catch (const YAML::Exception&) {
    throw FieldError{key};
  }
}
Ipv4Address addr(const YAML::Node& n, const char* key) {
  auto a = Ipv4Address::parse(get<std::string>(n, key));
  if (!a) throw FieldError{key};
  return *a;
}
Ipv4Prefix prefix(const std::string& text, const char* key) {
  auto p = Ipv4Prefix::parse(text);
  if (!p) throw FieldError{key};
  return *p;
}

TunnelPlan read_tunnel(const YAML::Node& n) {
  TunnelPlan t;
  t.name = get<std::string>(n, "name");
  t.device = get<std::string>(n, "device");
  t.local_outside = addr(n, "local_outside");
  t.remote_outside = addr(n, "remote_outside");
  t.inside = prefix(get<std::string>(n, "inside"), "inside");
  t.local_inside = addr(n, "local_inside");
  t.remote_inside = addr(n, "remote_inside");
  t.psk = SecretBytes(std::string_view(get<std::string>(n, "psk")));
  std::string start = get<std::string>(n, "start");
  t.start = start == "initiate"       ? IkeStart::initiate
            : start == "respond_only" ? IkeStart::respond_only
                                      : IkeStart::both;
  t.ike_proposals = get<std::vector<std::string>>(n, "ike_proposals");
  t.esp_proposals = get<std::vector<std::string>>(n, "esp_proposals");
  t.ike_lifetime_s = get<std::int64_t>(n, "ike_lifetime_s");
  t.child_lifetime_s = get<std::int64_t>(n, "child_lifetime_s");
  t.child_lifetime_kb = get<std::int64_t>(n, "child_lifetime_kb");
  t.rekey_margin_s = get<std::int64_t>(n, "rekey_margin_s");
  t.rekey_fuzz_percent = get<std::int64_t>(n, "rekey_fuzz_percent");
  t.replay_window = get<std::int64_t>(n, "replay_window");
  t.dpd_timeout_s = get<std::int64_t>(n, "dpd_timeout_s");
  t.dpd_action = get<std::string>(n, "dpd_action");
  t.aws_vpn_connection = get<std::string>(n, "aws_vpn_connection");
  t.aws_tunnel_number = get<int>(n, "aws_tunnel_number");
  t.azure_connection = get<std::string>(n, "azure_connection");
  if (n["limit_gbps"]) t.limit_gbps = get<double>(n, "limit_gbps");
  if (n["limit_pps"]) t.limit_pps = get<std::int64_t>(n, "limit_pps");
  return t;
}

BgpNeighborPlan read_neighbor(const YAML::Node& n) {
  BgpNeighborPlan b;
  b.peer = addr(n, "peer");
  b.peer_asn = get<std::int64_t>(n, "peer_asn");
  b.local = addr(n, "local");
  b.tunnel = get<std::string>(n, "tunnel");
  b.device = get<std::string>(n, "device");
  b.hold_time_s = get<std::int64_t>(n, "hold_time_s");
  b.keepalive_s = get<std::int64_t>(n, "keepalive_s");
  b.passive = get<bool>(n, "passive");
  b.max_prefixes = get<std::int64_t>(n, "max_prefixes");
  b.max_prefix_action = get<std::string>(n, "max_prefix_action");
  return b;
}

// Errors here are the user's (a host plan is edited by hand): each says what is expected.
HostUnderlay read_underlay(const YAML::Node& n) {
  HostUnderlay u;
  if (!n.IsMap()) throw FieldError{"underlay", "must be a map: host, address, gateway"};
  if (!n["host"] || !n["host"].IsScalar() || n["host"].Scalar().empty()) {
    throw FieldError{"underlay.host", "is missing: the interface name, e.g. eth1"};
  }
  u.interface = n["host"].Scalar();
  const YAML::Node a = n["address"];
  std::vector<std::string> texts;
  if (a && a.IsScalar()) texts.push_back(a.Scalar());
  if (a && a.IsSequence()) {
    for (const auto& i : a) texts.push_back(i.IsScalar() ? i.Scalar() : std::string());
  }
  if (texts.empty())
    throw FieldError{"underlay.address", "is missing: A.B.C.D/N, or a list of them"};
  for (const auto& t : texts) {
    auto p = Ipv4Prefix::parse(t, false);
    if (!p || p->length == 0) {
      throw FieldError{"underlay.address", "'" + t + "' is not an IPv4 A.B.C.D/N with N 1-32"};
    }
    u.addresses.push_back(*p);
  }
  if (n["gateway"]) {
    auto g = n["gateway"].IsScalar() ? Ipv4Address::parse(n["gateway"].Scalar()) : std::nullopt;
    if (!g) throw FieldError{"underlay.gateway", "is not an IPv4 address A.B.C.D"};
    u.gateway = *g;
  }
  for (const auto& k : n) {
    auto key = k.first.Scalar();
    if (key != "host" && key != "address" && key != "gateway") {
      throw FieldError{"underlay." + key, "is unknown (host, address, gateway)"};
    }
  }
  return u;
}

}  // namespace

std::string plan_to_yaml(const GatewayPlan& g) {
  YAML::Emitter e;
  e << YAML::Comment("vpnlab gateway plan (compiled from the lab description; holds PSKs)");
  e << YAML::BeginMap;
  e << YAML::Key << "lab" << YAML::Value << g.lab;
  e << YAML::Key << "node" << YAML::Value << g.node;
  e << YAML::Key << "netns" << YAML::Value << g.netns;
  e << YAML::Key << "cloud" << YAML::Value << (g.cloud == Cloud::azure ? "azure" : "aws");
  e << YAML::Key << "instance" << YAML::Value << g.instance;
  e << YAML::Key << "display_name" << YAML::Value << g.display_name;
  e << YAML::Key << "asn" << YAML::Value << g.asn;
  e << YAML::Key << "router_id" << YAML::Value << g.router_id.to_string();
  e << YAML::Key << "public_addresses" << YAML::Value << YAML::Flow << strings(g.public_addresses);
  e << YAML::Key << "announce" << YAML::Value << YAML::Flow << strings(g.announce);
  e << YAML::Key << "never_announce_default" << YAML::Value << g.never_announce_default;
  e << YAML::Key << "reject_equal_to" << YAML::Value << YAML::Flow << strings(g.reject_equal_to);
  e << YAML::Key << "route_propagation" << YAML::Value << g.route_propagation;
  e << YAML::Key << "time_factor" << YAML::Value << g.time_factor;
  if (g.aggregate_limit_gbps > 0) {
    e << YAML::Key << "aggregate_limit_gbps" << YAML::Value << g.aggregate_limit_gbps;
  }
  e << YAML::Key << "keying" << YAML::Value << g.keying;
  if (g.esp_transport != "raw_socket") {
    e << YAML::Key << "esp_transport" << YAML::Value << g.esp_transport;
  }
  e << YAML::Key << "implementation" << YAML::Value << g.implementation;
  if (!g.command.empty()) e << YAML::Key << "command" << YAML::Value << g.command;
  if (g.underlay) emit_underlay(e, *g.underlay);
  e << YAML::Key << "tunnels" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : g.tunnels) emit_tunnel(e, t);
  e << YAML::EndSeq;
  e << YAML::Key << "bgp_neighbors" << YAML::Value << YAML::BeginSeq;
  for (const auto& n : g.bgp_neighbors) emit_neighbor(e, n);
  e << YAML::EndSeq;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

Checked<GatewayPlan> plan_from_yaml(const std::string& text) {
  try {
    YAML::Node n = YAML::Load(text);
    GatewayPlan g;
    g.lab = get<std::string>(n, "lab");
    g.node = get<std::string>(n, "node");
    g.netns = get<std::string>(n, "netns");
    g.cloud = get<std::string>(n, "cloud") == "aws" ? Cloud::aws : Cloud::azure;
    g.instance = get<int>(n, "instance");
    g.display_name = get<std::string>(n, "display_name");
    g.asn = get<std::int64_t>(n, "asn");
    g.router_id = addr(n, "router_id");
    for (const auto& s : get<std::vector<std::string>>(n, "public_addresses")) {
      auto a = Ipv4Address::parse(s);
      if (!a) throw FieldError{"public_addresses"};
      g.public_addresses.push_back(*a);
    }
    for (const auto& s : get<std::vector<std::string>>(n, "announce"))
      g.announce.push_back(prefix(s, "announce"));
    g.never_announce_default = get<bool>(n, "never_announce_default");
    for (const auto& s : get<std::vector<std::string>>(n, "reject_equal_to")) {
      g.reject_equal_to.push_back(prefix(s, "reject_equal_to"));
    }
    g.route_propagation = get<bool>(n, "route_propagation");
    g.time_factor = get<double>(n, "time_factor");
    if (n["aggregate_limit_gbps"]) g.aggregate_limit_gbps = get<double>(n, "aggregate_limit_gbps");
    g.keying = get<std::string>(n, "keying");
    if (n["esp_transport"]) g.esp_transport = get<std::string>(n, "esp_transport");
    // Plans written before lab.nodes existed are vpnlab nodes.
    if (n["implementation"]) g.implementation = get<std::string>(n, "implementation");
    if (n["command"]) g.command = get<std::string>(n, "command");
    if (n["underlay"]) g.underlay = read_underlay(n["underlay"]);
    for (const auto& t : n["tunnels"]) g.tunnels.push_back(read_tunnel(t));
    for (const auto& b : n["bgp_neighbors"]) g.bgp_neighbors.push_back(read_neighbor(b));
    return g;
  } catch (const FieldError& e) {
    return fail(make_error_code(errc::invalid_value), "plan: field '" + e.field + "' " + e.detail);
  } catch (const YAML::Exception& e) {
    return fail(make_error_code(errc::invalid_value),
                "plan: YAML error at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace vpnlab::topology
