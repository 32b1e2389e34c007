#pragma once
// The keys of the SAs a gateway has installed, for `vpnlab capture` (the root-only "keys"
// control command; topology/wireshark_keys.hpp has the format). SECRETS: never logged, never
// in the status document.
//
// ESP keys are recorded as they go into the dataplane: the gateway hands IKE (and manual
// keying) a KeyRecordingInstaller that forwards every call to the Engine and notes what
// add_inbound / add_outbound carried. IKE_SA keys are noted from the IKE manager's SAs on
// every IKE event (the gateway's refresh). SAs that leave (rekeyed, deleted, tunnel down)
// are kept for `retention` (bounded in number), so a capture that spans a rekey or a drill
// can still be decrypted afterwards; the capture command also polls during the capture.
//
// Control thread only (like the rest of the gateway).

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "dataplane/core/sa_installer.hpp"
#include "ike/core/ike_sa.hpp"
#include "topology/plan.hpp"
#include "topology/wireshark_keys.hpp"

namespace vpnlab::topology {

class KeyLog {
 public:
  using Clock = std::chrono::steady_clock;
  explicit KeyLog(const GatewayPlan& plan,
                  std::chrono::seconds retention = std::chrono::minutes(10),
                  std::size_t max_removed = 256);

  void esp_added(const dataplane::TunnelName& tunnel, dataplane::SaDirection dir,
                 const dataplane::SaConfig& sa);
  void esp_removed(dataplane::SaDirection dir, esp::Spi spi);
  /// The two directions of one CHILD_SA (or manual SA pair).
  void pair(esp::Spi inbound, esp::Spi outbound);
  /// An IKE_SA with keys (after IKE_SA_INIT); a known one is left as it is.
  void ike_seen(const std::string& tunnel, const ike::IkeSa& sa);
  /// Every IKE_SA not in `alive` (local SPIs) is marked removed.
  void ike_alive(const std::set<std::uint64_t>& alive);

  /// Live SAs and those removed within the retention time.
  SaKeySet snapshot();

 private:
  struct Key {
    dataplane::SaDirection dir;
    std::uint32_t spi;
    auto operator<=>(const Key&) const = default;
  };
  template <typename T>
  struct Entry {
    T keys;
    std::optional<Clock::time_point> removed;
  };
  void prune();

  std::map<std::string, std::pair<Ipv4Address, Ipv4Address>> outside_;  // device -> local, remote
  std::chrono::seconds retention_;
  std::size_t max_removed_;
  std::map<Key, Entry<EspSaKeys>> esp_;
  std::map<std::uint64_t, Entry<IkeSaKeys>> ike_;  // by local SPI
};

/// Forwards to the real installer (the Engine) and records installs/removals in a KeyLog.
class KeyRecordingInstaller final : public dataplane::SaInstaller {
 public:
  KeyRecordingInstaller(dataplane::SaInstaller& inner, KeyLog& log) : inner_(inner), log_(log) {}
  Result<esp::Spi> reserve_spi() override { return inner_.reserve_spi(); }
  Result<void> add_inbound(const dataplane::TunnelName& t, dataplane::SaConfig sa) override {
    return add(t, dataplane::SaDirection::inbound, std::move(sa));
  }
  Result<void> add_outbound(const dataplane::TunnelName& t, dataplane::SaConfig sa) override {
    return add(t, dataplane::SaDirection::outbound, std::move(sa));
  }
  Result<void> switch_outbound(const dataplane::TunnelName& t, esp::Spi spi) override {
    return inner_.switch_outbound(t, spi);
  }
  Result<void> remove(const dataplane::TunnelName& t, dataplane::SaDirection dir,
                      esp::Spi spi) override;
  Result<dataplane::SaCounters> counters(dataplane::SaDirection dir, esp::Spi spi) const override {
    return inner_.counters(dir, spi);
  }
  void on_lifetime(LifetimeHandler handler) override { inner_.on_lifetime(std::move(handler)); }

 private:
  Result<void> add(const dataplane::TunnelName& t, dataplane::SaDirection dir,
                   dataplane::SaConfig sa);
  dataplane::SaInstaller& inner_;
  KeyLog& log_;
};

}  // namespace vpnlab::topology
