#include "ike/core/sa_state.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "base/log_limited.hpp"

namespace vpnlab::ike {

std::string_view to_string(IkeState s) {
  switch (s) {
    case IkeState::created:
      return "CREATED";
    case IkeState::connecting:
      return "CONNECTING";
    case IkeState::established:
      return "ESTABLISHED";
    case IkeState::rekeyed:
      return "REKEYED";
    case IkeState::deleting:
      return "DELETING";
    case IkeState::closed:
      return "CLOSED";
  }
  return "UNKNOWN";
}

SaState::~SaState() = default;

void SaState::timer(TimerKind kind, std::uint32_t id, Duration delay) {
  if (out) out->timers.push_back(TimerRequest{local_spi(), kind, id, delay, false});
}

void SaState::cancel(TimerKind kind, std::uint32_t id) {
  if (out) out->timers.push_back(TimerRequest{local_spi(), kind, id, Duration{0}, true});
}

void SaState::event(EventKind kind, std::string detail) {
  if (out) out->events.push_back(Event{kind, std::move(detail)});
}

ChildSa* SaState::child_by_inbound(esp::Spi spi) {
  auto it = std::find_if(children.begin(), children.end(),
                         [&](const ChildSa& c) { return c.inbound == spi; });
  return it == children.end() ? nullptr : &*it;
}

ChildSa* SaState::child_by_outbound(esp::Spi spi) {
  auto it = std::find_if(children.begin(), children.end(),
                         [&](const ChildSa& c) { return c.outbound == spi; });
  return it == children.end() ? nullptr : &*it;
}

bool SaState::install_child(ChildSa child, const esp::SaKeys& in_keys, const esp::SaKeys& out_keys,
                            bool switch_now) {
  dataplane::SaConfig in;
  in.spi = child.inbound;
  in.suite = child.suite.esp;
  in.keys = in_keys;
  in.replay_window = config.replay_window;
  in.limits = config.child_limits;
  in.outer =
      dataplane::OuterPath{remote.address, local.address, nat_detected, local.port, remote.port};
  dataplane::SaConfig outb = in;
  outb.spi = child.outbound;
  outb.keys = out_keys;
  outb.replay_window = 0;
  outb.outer =
      dataplane::OuterPath{local.address, remote.address, nat_detected, local.port, remote.port};
  // Make-before-break: inbound first so the peer may use the SA as soon as it learns of it.
  if (!installer.add_inbound(config.tunnel, std::move(in)) ||
      !installer.add_outbound(config.tunnel, std::move(outb))) {
    count("ike.child.install_failed");
    return false;
  }
  children.push_back(child);
  ChildSa& c = children.back();
  if (switch_now) switch_outbound(c);
  timer(TimerKind::child_rekey, c.inbound.value, rekey_delay(config.timers.child_lifetime));
  timer(TimerKind::child_expire, c.inbound.value, config.scaled(config.timers.child_lifetime));
  return true;
}

void SaState::switch_outbound(ChildSa& child) {
  if (child.outbound_active) return;
  if (installer.switch_outbound(config.tunnel, child.outbound)) {
    for (ChildSa& c : children) c.outbound_active = false;
    child.outbound_active = true;
  }
}

void SaState::remove_child(esp::Spi inbound) {
  ChildSa* c = child_by_inbound(inbound);
  if (!c) return;
  (void)installer.remove(config.tunnel, dataplane::SaDirection::outbound, c->outbound);
  if (c->replaced_by && state == IkeState::established) {
    // Make-before-break, last step: ESP the peer sent on the old SA just before its DELETE
    // (its IKE and ESP paths are not ordered) still decrypts for a while.
    retired_inbound.push_back(c->inbound);
    timer(TimerKind::retire_inbound, inbound.value, config.rekeyed_inbound_grace());
  } else {
    (void)installer.remove(config.tunnel, dataplane::SaDirection::inbound, c->inbound);
  }
  cancel(TimerKind::child_rekey, inbound.value);
  cancel(TimerKind::child_expire, inbound.value);
  children.erase(children.begin() + (c - children.data()));
}

void SaState::drop_retired(esp::Spi inbound) {
  auto it = std::find(retired_inbound.begin(), retired_inbound.end(), inbound);
  if (it == retired_inbound.end()) return;
  retired_inbound.erase(it);
  (void)installer.remove(config.tunnel, dataplane::SaDirection::inbound, inbound);
}

void SaState::remove_all_children() {
  for (ChildSa& c : children) c.replaced_by.reset();  // the IKE_SA goes: no grace
  while (!children.empty()) remove_child(children.front().inbound);
  while (!retired_inbound.empty()) {
    cancel(TimerKind::retire_inbound, retired_inbound.front().value);
    drop_retired(retired_inbound.front());
  }
}

void SaState::on_established() {
  state = IkeState::established;
  cancel(TimerKind::half_open);
  timer(TimerKind::ike_rekey, 0, rekey_delay(config.timers.ike_lifetime));
  timer(TimerKind::ike_expire, 0, config.scaled(config.timers.ike_lifetime));
  timer(TimerKind::dpd, 0, config.scaled(config.timers.dpd_interval));
  event(EventKind::ike_established, config.tunnel);
}

Duration SaState::rekey_delay(std::chrono::seconds lifetime) {
  // AWS: rekey inside [lifetime - margin - fuzz% of margin, lifetime - margin].
  auto margin = std::min(config.timers.rekey_margin, lifetime / 2);
  std::uint64_t fuzz_ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<Duration>(margin).count() *
                                 config.timers.rekey_fuzz_percent / 100);
  std::uint64_t jitter = fuzz_ms ? rng.u64() % (fuzz_ms + 1) : 0;
  Duration d = std::chrono::duration_cast<Duration>(lifetime - margin) -
               Duration(static_cast<Duration::rep>(jitter));
  return config.scaled(d);
}

void SaState::drop(const std::string& counter, const char* why) {
  count(counter);
  VPNLAB_LOG_LIMITED(warn, "ike", counter, "IKE_SA %016llx/%016llx peer %s:%u: %s",
                     static_cast<unsigned long long>(spi_i.value),
                     static_cast<unsigned long long>(spi_r.value),
                     remote.address.to_string().c_str(), remote.port, why);
}

}  // namespace vpnlab::ike
