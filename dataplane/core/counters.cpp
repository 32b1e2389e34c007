#include "dataplane/core/counters.hpp"

namespace vpnlab::dataplane {

const char* to_string(DpDrop d) {
  switch (d) {
    case DpDrop::no_outbound_sa:
      return "no_outbound_sa";
    case DpDrop::not_ip:
      return "not_ip";
    case DpDrop::send_failed:
      return "send_failed";
    case DpDrop::too_short:
      return "too_short";
    case DpDrop::unknown_spi:
      return "unknown_spi";
    case DpDrop::ike_queue_full:
      return "ike_queue_full";
    case DpDrop::tun_write_failed:
      return "tun_write_failed";
    case DpDrop::rate_limited:
      return "rate_limited";
  }
  return "unknown";
}

std::uint64_t DirectionCounters::total_drops() const {
  std::uint64_t n = 0;
  for (const auto& c : dp_drops) n += c.get();
  for (const auto& c : esp_drops) n += c.get();
  return n;
}

namespace {
// Dataplane drops as "dp.<dir>.drop.<reason>", the SA's as "esp.<dir>.drop.<reason>"
// (STYLE.md): both enums have unknown_spi and too_short, which one map key would merge.
void add_direction(std::map<std::string, std::uint64_t>& out, const std::string& dir,
                   const DirectionCounters& c) {
  const std::string prefix = "dp." + dir;
  out[prefix + ".packets"] = c.packets.get();
  out[prefix + ".bytes"] = c.bytes.get();
  for (std::size_t i = 0; i < kDpDropCount; ++i) {
    if (auto v = c.dp_drops[i].get()) {
      out[prefix + ".drop." + to_string(static_cast<DpDrop>(i))] = v;
    }
  }
  for (std::size_t i = 0; i < esp::kDropReasonCount; ++i) {
    if (auto v = c.esp_drops[i].get()) {
      out["esp." + dir + ".drop." + std::string(esp::to_string(static_cast<esp::DropReason>(i)))] =
          v;
    }
  }
}
}  // namespace

std::map<std::string, std::uint64_t> to_map(const TunnelCounters& c) {
  std::map<std::string, std::uint64_t> out;
  add_direction(out, "tx", c.tx);
  add_direction(out, "rx", c.rx);
  out["dp.tx.mss_clamped"] = c.mss_clamped.get();
  return out;
}

std::map<std::string, std::uint64_t> to_map(const GlobalCounters& c) {
  std::map<std::string, std::uint64_t> out;
  add_direction(out, "rx", c.rx);
  out["dp.rx.ike"] = c.ike_received.get();
  out["dp.rx.keepalive"] = c.keepalives.get();
  return out;
}

}  // namespace vpnlab::dataplane
