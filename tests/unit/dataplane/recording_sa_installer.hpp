#pragma once
// A SaInstaller that records every call (strongSwan tests/utils/mock_ipsec.c), for IKE and
// gateway tests: assert on the SAs IKE installed, in order, without a dataplane. SPIs come
// from a counter starting at 0x1000 (deterministic); failures can be injected per call kind.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/core/errors.hpp"
#include "dataplane/core/sa_installer.hpp"

namespace vpnlab::dataplane::testing {

class RecordingSaInstaller final : public SaInstaller {
 public:
  enum class Call { reserve_spi, add_inbound, add_outbound, switch_outbound, remove };
  struct Record {
    Call call;
    TunnelName tunnel;
    SaDirection dir = SaDirection::inbound;
    esp::Spi spi;
    std::optional<esp::SuiteId> suite;  // add_* only
    OuterPath outer;                    // add_* only
  };

  Result<esp::Spi> reserve_spi() override {
    esp::Spi spi{next_spi_++};
    calls.push_back(Record{Call::reserve_spi, {}, SaDirection::inbound, spi, {}, {}});
    return spi;
  }
  Result<void> add_inbound(const TunnelName& t, SaConfig sa) override {
    return add(Call::add_inbound, SaDirection::inbound, t, sa);
  }
  Result<void> add_outbound(const TunnelName& t, SaConfig sa) override {
    return add(Call::add_outbound, SaDirection::outbound, t, sa);
  }
  Result<void> switch_outbound(const TunnelName& t, esp::Spi spi) override {
    calls.push_back(Record{Call::switch_outbound, t, SaDirection::outbound, spi, {}, {}});
    if (!has(SaDirection::outbound, spi)) return Unexpected{make_error_code(errc::unknown_sa)};
    active[t] = spi;
    return {};
  }
  Result<void> remove(const TunnelName& t, SaDirection dir, esp::Spi spi) override {
    calls.push_back(Record{Call::remove, t, dir, spi, {}, {}});
    for (auto it = installed.begin(); it != installed.end(); ++it) {
      if (it->dir == dir && it->spi == spi) {
        installed.erase(it);
        return {};
      }
    }
    return Unexpected{make_error_code(errc::unknown_sa)};
  }
  Result<SaCounters> counters(SaDirection dir, esp::Spi spi) const override {
    if (!has(dir, spi)) return Unexpected{make_error_code(errc::unknown_sa)};
    return SaCounters{};
  }
  void on_lifetime(LifetimeHandler handler) override { lifetime = std::move(handler); }

  /// Makes the next add_inbound/add_outbound fail with this error.
  void fail_next_add(std::error_code e) { fail_next_add_ = e; }
  bool has(SaDirection dir, esp::Spi spi) const {
    for (const auto& r : installed) {
      if (r.dir == dir && r.spi == spi) return true;
    }
    return false;
  }

  std::vector<Record> calls;      // every call, in order
  std::vector<Record> installed;  // SAs present now
  std::map<TunnelName, esp::Spi> active;
  LifetimeHandler lifetime;  // tests call it to simulate an expiry

 private:
  Result<void> add(Call c, SaDirection dir, const TunnelName& t, const SaConfig& sa) {
    Record r{c, t, dir, sa.spi, sa.suite, sa.outer};
    calls.push_back(r);
    if (fail_next_add_) {
      auto e = *fail_next_add_;
      fail_next_add_.reset();
      return Unexpected{e};
    }
    if (has(dir, sa.spi)) return Unexpected{make_error_code(errc::spi_in_use)};
    installed.push_back(r);
    return {};
  }
  std::uint32_t next_spi_ = 0x1000;
  std::optional<std::error_code> fail_next_add_;
};

}  // namespace vpnlab::dataplane::testing
