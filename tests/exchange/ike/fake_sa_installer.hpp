#pragma once
// A recording SaInstaller (strongSwan tests/utils/mock_ipsec.c): keeps every installed SA
// with its keys, the tunnel's active outbound SPI and the call log, so exchange tests can
// check that one side's outbound SA equals the other side's inbound SA.

#include <map>
#include <string>
#include <vector>

#include "dataplane/core/sa_installer.hpp"

namespace vpnlab::ike::test {

class RecordingSaInstaller final : public dataplane::SaInstaller {
 public:
  explicit RecordingSaInstaller(std::uint32_t first_spi) : next_spi_(first_spi) {}

  Result<esp::Spi> reserve_spi() override { return esp::Spi{next_spi_++}; }
  Result<void> add_inbound(const dataplane::TunnelName& t, dataplane::SaConfig sa) override {
    log.push_back("add_inbound " + t + " " + std::to_string(sa.spi.value));
    inbound.emplace(sa.spi.value, std::move(sa));
    return {};
  }
  Result<void> add_outbound(const dataplane::TunnelName& t, dataplane::SaConfig sa) override {
    log.push_back("add_outbound " + t + " " + std::to_string(sa.spi.value));
    outbound.emplace(sa.spi.value, std::move(sa));
    return {};
  }
  Result<void> switch_outbound(const dataplane::TunnelName& t, esp::Spi spi) override {
    log.push_back("switch_outbound " + t + " " + std::to_string(spi.value));
    active_outbound[t] = spi.value;
    return {};
  }
  Result<void> remove(const dataplane::TunnelName& t, dataplane::SaDirection dir,
                      esp::Spi spi) override {
    bool in = dir == dataplane::SaDirection::inbound;
    log.push_back(std::string(in ? "remove_inbound " : "remove_outbound ") + t + " " +
                  std::to_string(spi.value));
    (in ? inbound : outbound).erase(spi.value);
    return {};
  }
  Result<dataplane::SaCounters> counters(dataplane::SaDirection, esp::Spi) const override {
    return dataplane::SaCounters{};
  }
  void on_lifetime(LifetimeHandler handler) override { lifetime_handler = std::move(handler); }
  /// What a dataplane does when an SA crosses a byte/packet limit.
  void report_lifetime(dataplane::SaDirection dir, std::uint32_t spi,
                       dataplane::LifetimeEvent ev) const {
    if (lifetime_handler) lifetime_handler(dir, esp::Spi{spi}, ev);
  }
  LifetimeHandler lifetime_handler;

  std::map<std::uint32_t, dataplane::SaConfig> inbound, outbound;
  std::map<std::string, std::uint32_t> active_outbound;
  std::vector<std::string> log;

 private:
  std::uint32_t next_spi_;
};

}  // namespace vpnlab::ike::test
