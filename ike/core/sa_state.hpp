#pragma once
// The state of one IKE_SA shared by its tasks: negotiated suite and keys, nonces, the raw
// IKE_SA_INIT messages AUTH signs, the CHILD_SAs, and the outputs of the call in progress.
// IkeSa (ike_sa.hpp) owns it and runs the exchanges; tasks read and update it.

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "base/counters.hpp"
#include "dataplane/core/sa_installer.hpp"
#include "ike/codec/payload_sk.hpp"
#include "ike/core/actions.hpp"
#include "ike/core/child_sa.hpp"
#include "ike/core/config.hpp"
#include "ike/core/keymat.hpp"
#include "ike/core/rng.hpp"
#include "ike/core/task.hpp"

namespace vpnlab::ike {

enum class IkeState : std::uint8_t {
  created,
  connecting,  // IKE_SA_INIT / IKE_AUTH in progress
  established,
  rekeyed,  // replaced by a new IKE_SA, waiting for the DELETE
  deleting,
  closed,
};

std::string_view to_string(IkeState s);

struct SaState {
  SaState(PeerConfig cfg, Rng& r, dataplane::SaInstaller& inst, CounterSet& c)
      : config(std::move(cfg)), rng(r), installer(inst), counters(c) {}
  ~SaState();

  PeerConfig config;
  Rng& rng;
  dataplane::SaInstaller& installer;
  CounterSet& counters;

  bool initiator = true;  // original initiator of this IKE_SA (2.2: the I flag)
  IkeState state = IkeState::created;
  IkeSpi spi_i, spi_r;
  Endpoint local, remote;
  std::optional<IkeSuite> suite;
  IkeKeys keys;
  std::unique_ptr<SkCipher> cipher;
  Bytes ni, nr;
  Bytes init_request, init_response;  // raw IKE_SA_INIT messages (2.15 RealMessage1/2)
  Bytes ike_rekey_nonce;              // our Ni while an IKE_SA rekey we started is in flight
  bool peer_fragmentation = false;
  bool nat_detected = false;
  /// RFC 7296 2.23: our own address was translated; RFC 3948 4: we send NAT keepalives.
  bool local_behind_nat = false;
  /// RFC 7296 2.4: we have no other IKE_SA with this peer, so our IKE_AUTH request carries
  /// INITIAL_CONTACT (set by IkeManager::connect, as strongSwan does on first contact).
  bool send_initial_contact = false;
  /// The peer's IKE_AUTH carried INITIAL_CONTACT: once this IKE_SA is established, every
  /// other IKE_SA with the same authenticated identity is stale (IkeManager acts on it).
  bool peer_initial_contact = false;
  std::vector<ChildSa> children;
  /// Inbound SPIs of rekeyed CHILD_SAs still accepting late packets (retire_inbound timer).
  std::vector<esp::Spi> retired_inbound;
  std::deque<Exchange> queue;  // initiator exchanges waiting for the window
  Actions* out = nullptr;      // outputs of the current call

  IkeSpi local_spi() const { return initiator ? spi_i : spi_r; }
  void timer(TimerKind kind, std::uint32_t id, Duration delay);
  void cancel(TimerKind kind, std::uint32_t id = 0);
  void event(EventKind kind, std::string detail);
  void count(const std::string& name) { counters.get(name).add(); }
  /// A message dropped or refused: counted under `counter` and logged at most once per
  /// second per counter (log_limited.hpp), with this IKE_SA's SPIs and peer.
  void drop(const std::string& counter, const char* why);

  ChildSa* child_by_inbound(esp::Spi spi);
  ChildSa* child_by_outbound(esp::Spi spi);
  /// Installs a CHILD_SA (inbound first, then outbound; switch_now makes it the tunnel's
  /// outbound SA) and arms its lifetime timers. Returns false (and counts) on failure.
  bool install_child(ChildSa child, const esp::SaKeys& in_keys, const esp::SaKeys& out_keys,
                     bool switch_now);
  void switch_outbound(ChildSa& child);
  /// Removes both directions from the dataplane and forgets the CHILD_SA. A rekeyed one
  /// (replaced_by set) keeps its inbound SA for the grace period (retire_inbound timer).
  void remove_child(esp::Spi inbound);
  /// The grace period is over: the retired inbound SA leaves the dataplane.
  void drop_retired(esp::Spi inbound);
  void remove_all_children();
  /// IKE_SA is up: state, event, lifetime and DPD timers (cancels the half-open timer).
  void on_established();
  /// Soft-lifetime with the rekey margin and fuzz (cloud-facts: "Rekey fuzz").
  Duration rekey_delay(std::chrono::seconds lifetime);
};

}  // namespace vpnlab::ike
