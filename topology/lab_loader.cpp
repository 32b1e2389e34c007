#include "topology/lab_loader.hpp"

#include <fstream>
#include <sstream>

#include "topology/yaml_reader.hpp"

namespace vpnlab::topology {
namespace {

void read_azure_gateway(YamlReader& r, AzureVirtualNetworkGateway& g) {
  r.str("name", g.name);
  r.str("gateway_type", g.gateway_type);
  r.str("vpn_type", g.vpn_type);
  r.str("sku", g.sku);
  r.str("generation", g.generation);
  r.str("virtual_network", g.virtual_network);
  r.boolean("active_active", g.active_active);
  r.str_list("public_ips", g.public_ips);
  r.object("bgp", [&](YamlReader& b) {
    b.boolean("enabled", g.bgp.enabled);
    b.i64("asn", g.bgp.asn);
    b.object("custom_apipa_addresses", [&](YamlReader& c) {
      c.str_list("instance0", g.bgp.custom_apipa_instance0);
      c.str_list("instance1", g.bgp.custom_apipa_instance1);
    });
  });
}

void read_connection(YamlReader& r, AzureConnection& c) {
  r.str("name", c.name);
  r.str("virtual_network_gateway", c.virtual_network_gateway);
  r.str("local_network_gateway", c.local_network_gateway);
  r.str("connection_type", c.connection_type);
  r.str("connection_protocol", c.connection_protocol);
  r.secret("shared_key", c.shared_key);
  r.boolean("enable_bgp", c.enable_bgp);
  r.object("custom_bgp_addresses", [&](YamlReader& b) {
    c.use_custom_bgp_addresses = true;
    b.boolean("enabled", c.use_custom_bgp_addresses);
    b.str("primary", c.custom_bgp_primary);
    b.str("secondary", c.custom_bgp_secondary);
  });
  r.str("connection_mode", c.connection_mode);
  r.i64("dpd_timeout_seconds", c.dpd_timeout_seconds);
  r.object("ipsec_policy", [&](YamlReader& p) {
    AzureIpsecPolicy policy;
    p.str("ike_encryption", policy.ike_encryption);
    p.str("ike_integrity", policy.ike_integrity);
    p.str("dh_group", policy.dh_group);
    p.str("ipsec_encryption", policy.ipsec_encryption);
    p.str("ipsec_integrity", policy.ipsec_integrity);
    p.str("pfs_group", policy.pfs_group);
    p.i64("sa_lifetime_seconds", policy.sa_lifetime_seconds);
    p.i64("sa_data_size_kilobytes", policy.sa_data_size_kilobytes);
    c.ipsec_policy = policy;
  });
}

void read_azure(YamlReader& r, Azure& az) {
  r.str("resource_group", az.resource_group);
  r.str("region", az.region);
  r.object("virtual_network", [&](YamlReader& v) {
    v.str("name", az.virtual_network.name);
    v.str_list("address_space", az.virtual_network.address_space);
    v.list("subnets", [&](YamlReader& s) {
      AzureSubnet& sub = az.virtual_network.subnets.emplace_back();
      s.str("name", sub.name);
      s.str("address_prefix", sub.address_prefix);
    });
  });
  r.list("public_ips", [&](YamlReader& p) {
    AzurePublicIp& ip = az.public_ips.emplace_back();
    p.str("name", ip.name);
    p.str("ip_address", ip.ip_address);
  });
  r.object("virtual_network_gateway", [&](YamlReader& g) { read_azure_gateway(g, az.gateway); });
  r.list("local_network_gateways", [&](YamlReader& l) {
    AzureLocalNetworkGateway& lng = az.local_network_gateways.emplace_back();
    l.str("name", lng.name);
    l.str("gateway_ip_address", lng.gateway_ip_address);
    l.str_list("address_space", lng.address_space);
    l.object("bgp", [&](YamlReader& b) {
      b.boolean("enabled", lng.bgp_enabled);
      b.i64("asn", lng.bgp.asn);
      b.str("peer_address", lng.bgp.peer_address);
    });
  });
  r.list("connections", [&](YamlReader& c) { read_connection(c, az.connections.emplace_back()); });
}

void read_tunnel(YamlReader& r, AwsTunnelOptions& t) {
  r.str("inside_cidr", t.inside_cidr);
  r.secret("pre_shared_key", t.pre_shared_key);
  r.str("outside_ip_address", t.outside_ip_address);
  r.str_list("ike_versions", t.ike_versions);
  r.str_list("phase1_encryption", t.phase1_encryption);
  r.str_list("phase2_encryption", t.phase2_encryption);
  r.str_list("phase1_integrity", t.phase1_integrity);
  r.str_list("phase2_integrity", t.phase2_integrity);
  r.i64_list("phase1_dh_groups", t.phase1_dh_groups);
  r.i64_list("phase2_dh_groups", t.phase2_dh_groups);
  r.i64("phase1_lifetime_seconds", t.phase1_lifetime_seconds);
  r.i64("phase2_lifetime_seconds", t.phase2_lifetime_seconds);
  r.i64("rekey_margin_time_seconds", t.rekey_margin_time_seconds);
  r.i64("rekey_fuzz_percentage", t.rekey_fuzz_percentage);
  r.i64("replay_window_size", t.replay_window_size);
  r.i64("dpd_timeout_seconds", t.dpd_timeout_seconds);
  r.str("dpd_timeout_action", t.dpd_timeout_action);
  r.str("startup_action", t.startup_action);
  r.str("tunnel_bandwidth", t.tunnel_bandwidth);
  if (r.has("emulate_limits")) {
    bool on = false;
    r.boolean("emulate_limits", on);
    t.emulate_limits = on;
  }
}

void read_aws(YamlReader& r, Aws& aws) {
  r.str("region", aws.region);
  r.object("vpc", [&](YamlReader& v) {
    v.str("name", aws.vpc.name);
    v.str("cidr", aws.vpc.cidr);
  });
  r.object("virtual_private_gateway", [&](YamlReader& v) {
    v.str("name", aws.virtual_private_gateway.name);
    v.i64("amazon_side_asn", aws.virtual_private_gateway.amazon_side_asn);
    v.str("vpc", aws.virtual_private_gateway.vpc);
    v.boolean("route_propagation", aws.virtual_private_gateway.route_propagation);
  });
  r.list("customer_gateways", [&](YamlReader& c) {
    AwsCustomerGateway& cgw = aws.customer_gateways.emplace_back();
    c.str("name", cgw.name);
    c.i64("bgp_asn", cgw.bgp_asn);
    c.str("ip_address", cgw.ip_address);
    c.str("routing", cgw.routing);
  });
  r.list("vpn_connections", [&](YamlReader& c) {
    AwsVpnConnection& vpn = aws.vpn_connections.emplace_back();
    c.str("name", vpn.name);
    c.str("virtual_private_gateway", vpn.virtual_private_gateway);
    c.str("customer_gateway", vpn.customer_gateway);
    c.str("routing", vpn.routing);
    c.str("local_ipv4_network_cidr", vpn.local_ipv4_network_cidr);
    c.str("remote_ipv4_network_cidr", vpn.remote_ipv4_network_cidr);
    c.str("tunnel_inside_ip_version", vpn.tunnel_inside_ip_version);
    c.list("tunnels", [&](YamlReader& t) { read_tunnel(t, vpn.tunnels.emplace_back()); });
  });
}

}  // namespace

LoadResult load_lab_text(const std::string& yaml, const std::string& file) {
  LoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's marks are 0-based.
    result.diagnostics.add_at(Severity::error, "", {e.mark.line + 1, e.mark.column + 1},
                              "YAML syntax: " + e.msg);
    return result;
  }
  Lab lab;
  lab.file = file;
  if (!root.IsMap()) {
    result.diagnostics.add_at(Severity::error, "", location_of(root),
                              "expected a mapping with the sections lab, azure and aws");
    return result;
  }
  try {
    YamlReader top(root, "", lab.where, result.diagnostics);
    top.object("lab", [&](YamlReader& l) {
      l.str("name", lab.lab.name);
      l.real("time_factor", lab.lab.time_factor);
      l.str("keying", lab.lab.keying);
      l.boolean("emulate_limits", lab.lab.emulate_limits);
      l.str("esp_transport", lab.lab.esp_transport);
      l.named_objects("nodes", [&](const std::string& node, YamlReader& n) {
        NodeSettings& settings = lab.lab.nodes[node];
        n.str("implementation", settings.implementation);
        n.str("command", settings.command);
      });
    });
    top.object("azure", [&](YamlReader& a) { read_azure(a, lab.azure); });
    top.object("aws", [&](YamlReader& a) { read_aws(a, lab.aws); });
    top.finish();
  } catch (const YAML::Exception& e) {
    result.diagnostics.add_at(Severity::error, "", {e.mark.line + 1, e.mark.column + 1},
                              "YAML: " + e.msg);
    return result;
  }
  result.lab = std::move(lab);
  return result;
}

LoadResult load_lab_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    LoadResult r;
    r.diagnostics.add_at(Severity::error, "", {}, "cannot read lab file " + path);
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_lab_text(ss.str(), path);
}

LoadResult load_default_lab() {
  return load_lab_text(default_lab_yaml(), "<default lab>");
}

}  // namespace vpnlab::topology
