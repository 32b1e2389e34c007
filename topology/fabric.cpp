#include "topology/fabric.hpp"

#include <set>

namespace vpnlab::topology {
std::set<Ipv4Prefix> learned_prefixes(const nlohmann::json& gw) {
  std::set<Ipv4Prefix> out;
  if (!gw.is_object() || !gw.contains("bgp") || !gw["bgp"].is_object()) return out;
  for (const auto& r : gw["bgp"].value("locRib", nlohmann::json::array())) {
    if (r.value("sourcePeer", "local") == "local") continue;
    if (auto p = Ipv4Prefix::parse(r.value("network", ""))) out.insert(*p);
  }
  return out;
}

std::map<std::string, std::vector<FabricRoute>> desired_fabric_routes(
    const LabPlan& plan, const LabAddresses& a, const nlohmann::json& status) {
  std::map<std::string, std::vector<FabricRoute>> out;
  const std::string prefix = plan.underlay.lab + "-";
  std::map<Ipv4Prefix, std::vector<Ipv4Address>> vnet;
  for (const auto& g : plan.gateways) {
    const nlohmann::json& gw = status.value(g.node, nlohmann::json());
    if (g.cloud == Cloud::azure) {
      for (const auto& p : learned_prefixes(gw))
        vnet[p].push_back(a.azure_instances.at(g.instance));
    } else if (g.route_propagation) {
      for (const auto& p : learned_prefixes(gw))
        out[prefix + "vpc-host"].push_back({p, {a.vpc_router}});
    }
  }
  for (auto& [p, via] : vnet) out[prefix + "vnet"].push_back({p, via});
  out.try_emplace(prefix + "vnet");
  out.try_emplace(prefix + "vpc-host");
  return out;
}

Checked<std::vector<FabricRoute>> read_fabric_routes(const std::string& ns) {
  auto nl = dataplane::Netlink::open_in(ns);
  if (!nl) return Unexpected{nl.error()};
  auto current = nl->routes(dataplane::kRouteProtocol);
  if (!current) return Unexpected{current.error()};
  std::vector<FabricRoute> out;
  for (const auto& r : *current) {
    FabricRoute f{r.prefix, {}};
    for (const auto& h : r.hops) {
      if (h.gateway) f.via.push_back(*h.gateway);
    }
    out.push_back(f);
  }
  return out;
}

namespace {
std::string hops_text(const std::vector<Ipv4Address>& via) {
  std::string s;
  for (auto v : via) s += " " + v.to_string();
  return s.empty() ? " nothing" : s;
}
}  // namespace

std::string fabric_pending(const LabPlan& plan, const nlohmann::json& gateway_status) {
  for (auto& [ns, want] : desired_fabric_routes(plan, plan.addresses, gateway_status)) {
    auto have = read_fabric_routes(ns);
    if (!have) return ns + ": " + have.error().message;
    std::map<Ipv4Prefix, std::set<Ipv4Address>> w, h;
    for (const auto& r : want) w[r.prefix].insert(r.via.begin(), r.via.end());
    for (const auto& r : *have) h[r.prefix].insert(r.via.begin(), r.via.end());
    if (w == h) continue;
    for (const auto& [p, via] : w) {
      auto it = h.find(p);
      std::vector<Ipv4Address> got = it == h.end()
                                         ? std::vector<Ipv4Address>{}
                                         : std::vector(it->second.begin(), it->second.end());
      if (it == h.end() || it->second != via)
        return ns + ": " + p.to_string() + " via" + hops_text(got) + ", want via" +
               hops_text({via.begin(), via.end()});
    }
    return ns + ": routes the gateways did not learn are still installed";
  }
  return "";
}

Checked<FabricSockets> open_fabric_sockets(const LabPlan& plan) {
  FabricSockets out;
  // Every namespace desired_fabric_routes may name: it names them all, with or without routes.
  for (const auto& [ns, routes] :
       desired_fabric_routes(plan, plan.addresses, nlohmann::json::object())) {
    auto nl = dataplane::Netlink::open_in(ns);
    if (!nl) return Unexpected{nl.error()};
    out.emplace(ns, std::move(*nl));
  }
  return out;
}

Checked<int> apply_fabric_routes(const std::map<std::string, std::vector<FabricRoute>>& desired,
                                 FabricSockets& sockets) {
  int changes = 0;
  for (const auto& [ns, routes] : desired) {
    auto nl = sockets.find(ns);
    if (nl == sockets.end()) {
      return fail(std::make_error_code(std::errc::no_such_device),
                  ns + ": no netlink socket opened for it at start");
    }
    auto current = nl->second.routes(dataplane::kRouteProtocol);
    if (!current) return Unexpected{current.error()};
    std::map<Ipv4Prefix, std::vector<dataplane::NextHop>> have, want;
    for (const auto& r : *current) have[r.prefix] = r.hops;
    for (const auto& r : routes) {
      for (auto v : r.via) want[r.prefix].push_back({"", v});
    }
    for (const auto& [p, hops] : want) {
      auto it = have.find(p);
      bool same = it != have.end() && it->second.size() == hops.size();
      for (std::size_t i = 0; same && i < hops.size(); ++i)
        same = it->second[i].gateway == hops[i].gateway;
      if (same) continue;
      if (auto rc = nl->second.replace_route(p, hops); !rc)
        return fail(rc.error().code, ns + ": " + rc.error().message);
      ++changes;
    }
    for (const auto& [p, hops] : have) {
      if (want.count(p)) continue;
      if (auto rc = nl->second.delete_route(p); !rc)
        return fail(rc.error().code, ns + ": " + rc.error().message);
      ++changes;
    }
  }
  return changes;
}

}  // namespace vpnlab::topology
