#include "bgp/core/rib.hpp"

namespace vpnlab::bgp {

std::vector<Ipv4Prefix> AdjRibIn::mark_stale() {
  std::vector<Ipv4Prefix> out;
  for (auto& [prefix, path] : routes_) {
    path.stale = true;
    out.push_back(prefix);
  }
  return out;
}

std::vector<Ipv4Prefix> AdjRibIn::sweep_stale() {
  std::vector<Ipv4Prefix> out;
  for (auto it = routes_.begin(); it != routes_.end();) {
    if (it->second.stale) {
      out.push_back(it->first);
      it = routes_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<Ipv4Prefix> AdjRibIn::clear() {
  std::vector<Ipv4Prefix> out;
  for (const auto& [prefix, path] : routes_) out.push_back(prefix);
  routes_.clear();
  return out;
}

}  // namespace vpnlab::bgp
