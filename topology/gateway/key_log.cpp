#include "topology/gateway/key_log.hpp"

#include <algorithm>
#include <vector>

namespace vpnlab::topology {

KeyLog::KeyLog(const GatewayPlan& plan, std::chrono::seconds retention, std::size_t max_removed)
    : retention_(retention), max_removed_(max_removed) {
  for (const auto& t : plan.tunnels) outside_[t.device] = {t.local_outside, t.remote_outside};
}

void KeyLog::esp_added(const dataplane::TunnelName& tunnel, dataplane::SaDirection dir,
                       const dataplane::SaConfig& sa) {
  EspSaKeys k;
  k.tunnel = tunnel;
  // The packets' addresses: the tunnel's outside pair, reversed for what we receive.
  auto it = outside_.find(tunnel);
  Ipv4Address local = it != outside_.end() ? it->second.first : sa.outer.local;
  Ipv4Address remote = it != outside_.end() ? it->second.second : sa.outer.remote;
  bool in = dir == dataplane::SaDirection::inbound;
  k.src = in ? remote : local;
  k.dst = in ? local : remote;
  k.spi = sa.spi.value;
  k.encr = sa.suite.encr;
  k.key_bits = sa.suite.key_bits;
  k.integ = sa.suite.integ;
  k.encr_key = sa.keys.encr_key;
  k.integ_key = sa.keys.integ_key;
  esp_[Key{dir, sa.spi.value}] = Entry<EspSaKeys>{std::move(k), std::nullopt};
}

void KeyLog::esp_removed(dataplane::SaDirection dir, esp::Spi spi) {
  auto it = esp_.find(Key{dir, spi.value});
  if (it != esp_.end() && !it->second.removed) {
    it->second.removed = Clock::now();
    it->second.keys.live = false;
  }
  prune();
}

void KeyLog::pair(esp::Spi inbound, esp::Spi outbound) {
  auto in = esp_.find(Key{dataplane::SaDirection::inbound, inbound.value});
  auto out = esp_.find(Key{dataplane::SaDirection::outbound, outbound.value});
  if (in != esp_.end()) in->second.keys.peer_spi = outbound.value;
  if (out != esp_.end()) out->second.keys.peer_spi = inbound.value;
}

void KeyLog::ike_seen(const std::string& tunnel, const ike::IkeSa& sa) {
  const ike::SaState& s = sa.state_view();
  if (!s.suite || s.keys.sk_ei.empty() || s.spi_r.value == 0) return;
  if (ike_.count(sa.local_spi().value)) return;
  IkeSaKeys k;
  k.tunnel = tunnel;
  k.spi_i = s.spi_i.value;
  k.spi_r = s.spi_r.value;
  k.encr = s.suite->encr;
  k.key_bits = s.suite->key_bits;
  // RFC 7296 3.3.2: an AEAD IKE_SA has no integrity transform.
  k.integ = ike::is_aead(s.suite->encr) ? esp::IntegAlgorithm::none : s.suite->integ;
  k.sk_ei = s.keys.sk_ei;
  k.sk_er = s.keys.sk_er;
  k.sk_ai = s.keys.sk_ai;
  k.sk_ar = s.keys.sk_ar;
  ike_[sa.local_spi().value] = Entry<IkeSaKeys>{std::move(k), std::nullopt};
}

void KeyLog::ike_alive(const std::set<std::uint64_t>& alive) {
  for (auto& [spi, e] : ike_) {
    if (!alive.count(spi) && !e.removed) {
      e.removed = Clock::now();
      e.keys.live = false;
    }
  }
  prune();
}

// Forgets removed SAs older than the retention time, and the oldest removed ones beyond
// max_removed_ (a flapping tunnel must not grow the log without bound).
void KeyLog::prune() {
  auto cutoff = Clock::now() - retention_;
  auto sweep = [&](auto& map) {
    std::vector<std::pair<Clock::time_point, typename std::decay_t<decltype(map)>::key_type>> gone;
    for (auto it = map.begin(); it != map.end();) {
      if (it->second.removed && *it->second.removed < cutoff) {
        it = map.erase(it);
        continue;
      }
      if (it->second.removed) gone.push_back({*it->second.removed, it->first});
      ++it;
    }
    if (gone.size() <= max_removed_) return;
    std::sort(gone.begin(), gone.end());
    for (std::size_t i = 0; i < gone.size() - max_removed_; ++i) map.erase(gone[i].second);
  };
  sweep(esp_);
  sweep(ike_);
}

SaKeySet KeyLog::snapshot() {
  prune();
  SaKeySet set;
  for (const auto& [k, e] : esp_) set.esp.push_back(e.keys);
  for (const auto& [k, e] : ike_) set.ike.push_back(e.keys);
  return set;
}

Result<void> KeyRecordingInstaller::add(const dataplane::TunnelName& t, dataplane::SaDirection dir,
                                        dataplane::SaConfig sa) {
  dataplane::SaConfig copy = sa;
  auto rc = dir == dataplane::SaDirection::inbound ? inner_.add_inbound(t, std::move(sa))
                                                   : inner_.add_outbound(t, std::move(sa));
  if (rc) log_.esp_added(t, dir, copy);
  return rc;
}

Result<void> KeyRecordingInstaller::remove(const dataplane::TunnelName& t,
                                           dataplane::SaDirection dir, esp::Spi spi) {
  auto rc = inner_.remove(t, dir, spi);
  log_.esp_removed(dir, spi);
  return rc;
}

}  // namespace vpnlab::topology
