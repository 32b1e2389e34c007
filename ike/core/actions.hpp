#pragma once
// What the sans-I/O core asks its host to do (STYLE.md "Sans-I/O cores"): datagrams to send,
// timers to (re)arm or cancel, and events for status and the gateway's wiring. The core never
// sleeps or reads a clock; the host runs timers and feeds expiries back via on_timer().

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/ip.hpp"
#include "ike/codec/header.hpp"
#include "ike/core/config.hpp"

namespace vpnlab::ike {

struct Endpoint {
  Ipv4Address address;
  std::uint16_t port = 500;
  auto operator<=>(const Endpoint&) const = default;
};

struct Datagram {
  Endpoint from, to;
  Bytes data;
};

enum class TimerKind : std::uint8_t {
  retransmit,      // resend the outstanding request (RFC 7296 2.1)
  dpd,             // time for a liveness check (empty INFORMATIONAL, 2.4)
  dpd_timeout,     // the liveness check was not answered in time
  ike_rekey,       // IKE_SA soft lifetime
  ike_expire,      // IKE_SA hard lifetime
  child_rekey,     // CHILD_SA soft lifetime (id = its inbound SPI)
  child_expire,    // CHILD_SA hard lifetime
  half_open,       // responder: IKE_AUTH did not follow IKE_SA_INIT
  retire_inbound,  // the inbound SA of a rekeyed CHILD_SA leaves the dataplane (id = SPI)
};

/// A timer belongs to one IKE_SA (its local SPI) and, for CHILD_SA timers, one CHILD_SA.
/// Arming a timer that is armed replaces it.
struct TimerRequest {
  IkeSpi sa;
  TimerKind kind = TimerKind::retransmit;
  std::uint32_t id = 0;
  Duration delay{0};
  bool cancel = false;
};

enum class EventKind : std::uint8_t {
  ike_established,
  ike_rekeyed,
  ike_closed,
  child_established,
  child_rekeyed,
  child_deleted,
  authentication_failed,
  no_proposal_chosen,
  peer_dead,
  retransmit_give_up,
};

struct Event {
  EventKind kind;
  std::string detail;
};

class IkeSa;

struct Actions {
  std::vector<Datagram> send;
  std::vector<TimerRequest> timers;
  std::vector<Event> events;
  /// The IKE_SA that produced these actions is finished; the host drops it.
  bool destroy = false;
  /// After destroy: start a new IKE_SA for the same peer (DPD action restart).
  bool restart = false;

  void merge(Actions&& other) {
    for (auto& d : other.send) send.push_back(std::move(d));
    for (auto& t : other.timers) timers.push_back(t);
    for (auto& e : other.events) events.push_back(std::move(e));
  }
  bool has_event(EventKind k) const {
    for (const Event& e : events) {
      if (e.kind == k) return true;
    }
    return false;
  }
};

}  // namespace vpnlab::ike
