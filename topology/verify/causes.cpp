#include "topology/verify/causes.hpp"

#include <optional>

#include "topology/resolve.hpp"

namespace vpnlab::topology::verify {
namespace {

using nlohmann::json;

bool has(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

std::string status_of(const json* t) {
  return t ? t->value("status", "") : "";
}

std::string error_of(const json* t) {
  return t ? t->value("last_error", "") : "";
}

const AwsTunnelOptions* aws_tunnel(const Lab& lab, const std::string& name, std::string* path) {
  for (std::size_t c = 0; c < lab.aws.vpn_connections.size(); ++c) {
    const auto& v = lab.aws.vpn_connections[c];
    for (std::size_t i = 0; i < v.tunnels.size(); ++i) {
      if (v.name + ".tunnel" + std::to_string(i + 1) != name) continue;
      if (path)
        *path = "aws.vpn_connections[" + std::to_string(c) + "].tunnels[" + std::to_string(i) + "]";
      return &v.tunnels[i];
    }
  }
  return nullptr;
}

const AzureConnection* azure_connection(const Lab& lab, const TunnelEnds& t, std::string* path) {
  std::string name = t.azure ? t.azure->value("azure_connection", "") : "";
  auto i = find_named(lab.azure.connections, name);
  if (!i) return nullptr;
  if (path) *path = "azure.connections[" + std::to_string(*i) + "]";
  return &lab.azure.connections[*i];
}

std::string psk_cause(const Lab& lab, const TunnelEnds& t) {
  std::string apath, zpath;
  const auto* a = aws_tunnel(lab, t.name, &apath);
  const auto* z = azure_connection(lab, t, &zpath);
  std::string out = "PSK mismatch: IKE authentication failed (AUTHENTICATION_FAILED)";
  if (a && z && a->pre_shared_key.expose().size() == z->shared_key.expose().size() &&
      std::equal(a->pre_shared_key.expose().begin(), a->pre_shared_key.expose().end(),
                 z->shared_key.expose().begin())) {
    return out + "; the lab file's keys agree, so a gateway runs an older plan (vpnlab down, up)";
  }
  if (a && z) return out + ": " + zpath + ".shared_key differs from " + apath + ".pre_shared_key";
  return out;
}

// The recovery deadlock of issue 11: the AWS end stops the tunnel after DPD (action clear)
// or never starts it (startup add), and the Azure connection only responds [Z-MODE, A-TUN].
std::optional<std::string> nobody_initiates(const Lab& lab, const TunnelEnds& t) {
  std::string apath, zpath;
  const auto* a = aws_tunnel(lab, t.name, &apath);
  const auto* z = azure_connection(lab, t, &zpath);
  if (!a || !z || z->connection_mode != "ResponderOnly") return std::nullopt;
  if (a->startup_action == "add") {
    return "neither end initiates: " + apath + ".startup_action is add and " + zpath +
           ".connection_mode is ResponderOnly (set startup_action: start)";
  }
  bool dead = has(error_of(t.aws), "not responding") || has(error_of(t.azure), "not responding");
  if (dead && a->dpd_timeout_action != "restart") {
    return "a tunnel that will not come back: after the peer stopped answering, AWS's DPD "
           "timeout action '" +
           a->dpd_timeout_action + "' (" + apath +
           ".dpd_timeout_action) does not re-initiate and " + zpath +
           " is ResponderOnly, so nobody starts IKE again (set dpd_timeout_action: restart, or "
           "connection_mode: Default; `vpnlab tunnel up " +
           t.name + "` mends it now)";
  }
  return std::nullopt;
}

}  // namespace

bool TunnelEnds::up() const {
  return status_of(azure) == "UP" && status_of(aws) == "UP";
}

std::vector<std::string> tunnel_causes(const Lab& lab, const TunnelEnds& t) {
  std::vector<std::string> out;
  if (!t.aws)
    out.push_back("gateway " + t.aws_node +
                  " does not answer on its control socket "
                  "(process stopped or crashed; vpnlab up starts it again)");
  if (!t.azure)
    out.push_back("gateway " + t.azure_node +
                  " does not answer on its control socket "
                  "(instance down; vpnlab up starts it again)");
  std::string errors = error_of(t.aws) + " | " + error_of(t.azure);
  if (has(errors, "AUTHENTICATION_FAILED")) out.push_back(psk_cause(lab, t));
  if (has(errors, "NO_PROPOSAL_CHOSEN")) {
    out.push_back(
        "no IKE/ESP proposal in common (NO_PROPOSAL_CHOSEN): `vpnlab validate` names "
        "both lists and the nearest fix");
  }
  if (has(errors, "taken down by a drill"))
    out.push_back("taken down by a drill (vpnlab tunnel down); vpnlab tunnel up " + t.name);
  if (auto n = nobody_initiates(lab, t)) out.push_back(*n);
  if (out.empty() && (t.aws || t.azure)) {
    std::string seen = "AWS end " + (t.aws ? status_of(t.aws) : "?") + ", Azure end " +
                       (t.azure ? status_of(t.azure) : "?");
    std::string e = error_of(t.aws).empty() ? error_of(t.azure) : error_of(t.aws);
    out.push_back(e.empty() ? seen + ": still negotiating (no error yet)" : seen + ": " + e);
  }
  return out;
}

std::vector<std::string> bgp_causes(const Lab& lab, const TunnelEnds& t, const json* peer) {
  std::vector<std::string> out;
  if (!t.up()) {
    out.push_back("its tunnel " + t.name + " is not UP (BGP runs inside it)");
    for (auto& c : tunnel_causes(lab, t)) out.push_back(c);
    return out;
  }
  // APIPA mismatch: the two ends of the /30 must be each other's peer address.
  std::string az_local = t.azure->value("inside_local", ""),
              az_peer = t.azure->value("inside_remote", "");
  std::string aws_local = t.aws->value("inside_local", ""),
              aws_peer = t.aws->value("inside_remote", "");
  if (az_local != aws_peer || az_peer != aws_local) {
    out.push_back("APIPA mismatch: Azure speaks BGP from " + az_local + " to " + az_peer +
                  ", AWS from " + aws_local + " to " + aws_peer +
                  " (custom_bgp_addresses / the first-APIPA-address quirk; vpnlab validate warns)");
  }
  std::string err =
      peer && (*peer)["lastError"].is_string() ? (*peer)["lastError"].get<std::string>() : "";
  if (has(err, "Maximum Number of Prefixes") || has(err, "prefixes")) {
    std::size_t vnet = lab.azure.virtual_network.address_space.size();
    out.push_back("over the prefix limit: " + err + " (the VNet announces " + std::to_string(vnet) +
                  " address prefixes; AWS accepts 100 per session, Azure 4000; vpnlab validate "
                  "warns)");
  } else if (has(err, "Hold Timer")) {
    out.push_back("BGP hold timer expired: keepalives were lost across the tunnel (" + err + ")");
  } else if (!err.empty()) {
    out.push_back("BGP last error: " + err);
  }
  if (peer && peer->value("state", "") == "Connected" && peer->value("routesReceived", 0) == 0)
    out.push_back("session Connected but the peer announces no routes");
  if (!peer) out.push_back("no BGP peer " + az_peer + " in the Azure instance's peer table");
  if (out.empty() && peer) {
    out.push_back("BGP session " + peer->value("state", "") + " (" +
                  peer->value("lastTransitionReason", "") + ")");
  }
  return out;
}

std::vector<std::string> vpc_route_causes(const Lab& lab, bool supervisor_running) {
  std::vector<std::string> out;
  if (!lab.aws.virtual_private_gateway.route_propagation) {
    out.push_back(
        "route propagation off: aws.virtual_private_gateway.route_propagation is false, "
        "so the VGW's routes never reach the VPC route table (the tutorial enables it)");
  }
  if (!supervisor_running)
    out.push_back("the lab supervisor (route propagation) is not running; vpnlab up starts it");
  if (out.empty()) out.push_back("propagation pending: the supervisor has not applied it yet");
  return out;
}

std::vector<std::string> vnet_route_causes(bool supervisor_running) {
  if (!supervisor_running)
    return {"the lab supervisor (route propagation) is not running; vpnlab up starts it"};
  return {"propagation pending: the supervisor has not applied the instances' routes yet"};
}

}  // namespace vpnlab::topology::verify
