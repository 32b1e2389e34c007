#pragma once
// One IKE peer (a tunnel endpoint) as configuration data: addresses, identities, PSK,
// ordered proposals, timers and the cloud behaviour switches (cloud_profiles.hpp fills them
// with AWS / Azure defaults). Every duration is scaled by the lab-wide time factor
// (DESIGN.md "Time") through scaled().

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/secret.hpp"
#include "dataplane/core/sa_installer.hpp"
#include "ike/codec/payload_id.hpp"
#include "ike/codec/payload_ts.hpp"
#include "ike/core/proposal.hpp"

namespace vpnlab::ike {

using Duration = std::chrono::milliseconds;

/// What to do when DPD declares the peer dead (AWS DPDTimeoutAction).
enum class DpdAction : std::uint8_t { clear, restart, none };
/// AWS StartupAction: add = wait for the peer, start = initiate.
enum class StartupAction : std::uint8_t { add, start };
/// Azure connectionMode: ResponderOnly never initiates, not even after a failure.
enum class ConnectionMode : std::uint8_t { default_mode, initiator_only, responder_only };

struct Timers {
  std::chrono::seconds ike_lifetime{28800};
  std::chrono::seconds child_lifetime{3600};
  std::chrono::seconds rekey_margin{540};
  std::uint8_t rekey_fuzz_percent = 100;
  std::chrono::seconds dpd_interval{10};
  std::chrono::seconds dpd_timeout{30};
  // Retransmission (strongSwan defaults): timeout * base^n for n = 0..tries, then give up.
  Duration retransmit_timeout{4000};
  double retransmit_base = 1.8;
  std::uint8_t retransmit_tries = 5;
  // A responder's half-open IKE_SA is dropped after this long without IKE_AUTH.
  std::chrono::seconds half_open_timeout{30};
  // The inbound SA of a rekeyed CHILD_SA keeps accepting packets this long after its
  // DELETE, for ESP the peer encrypted just before (strongSwan's delete_rekeyed_delay).
  std::chrono::seconds rekeyed_inbound_grace{5};
};

struct PeerConfig {
  std::string tunnel;  // dataplane::TunnelName the CHILD_SAs are installed on
  Ipv4Address local, remote;
  std::uint16_t local_port = 500, remote_port = 500;
  IdPayload local_id, remote_id;  // remote_id.data empty: accept any
  SecretBytes psk;
  std::vector<IkeSuite> ike_proposals;
  std::vector<ChildSuite> child_proposals;
  std::vector<TrafficSelector> local_ts{TrafficSelector::any()};
  std::vector<TrafficSelector> remote_ts{TrafficSelector::any()};
  Timers timers;
  DpdAction dpd_action = DpdAction::clear;
  StartupAction startup = StartupAction::add;
  ConnectionMode mode = ConnectionMode::default_mode;
  std::uint32_t replay_window = 1024;
  /// Byte/packet lifetimes of every CHILD_SA (RFC 4301 4.4.2.1), enforced by the dataplane;
  /// soft -> rekey, hard -> delete (IkeManager::on_lifetime). 0 = unlimited (the default).
  dataplane::SaLimits child_limits;
  bool fragmentation = true;          // RFC 7383: announce and use IKE fragmentation
  std::size_t fragment_size = 1280;   // max IKE datagram before fragmenting
  std::size_t cookie_threshold = 10;  // RFC 7296 2.6: half-open SAs before COOKIEs
  // Half-open IKE_SAs beyond which IKE_SA_INIT is dropped even with a valid COOKIE: a
  // sender with a real address can return cookies (2.6 only stops spoofed ones), so the
  // state and DH work a flood can cost stays bounded (strongSwan's init_limit_half_open).
  std::size_t half_open_limit = 50;
  double time_factor = 1.0;  // lab-wide: 0.01 makes every timer 100x faster

  Duration scaled(Duration d) const {
    return Duration(static_cast<Duration::rep>(static_cast<double>(d.count()) * time_factor));
  }
  /// How long a rekeyed CHILD_SA's inbound SA keeps decrypting after its DELETE. It covers
  /// ESP already in flight or queued when the peer switched - a property of the network and
  /// the machine, not a protocol timer - so the time factor shortens it to 1 s at most: at
  /// 1/225 (the soak) a scaled 22 ms dropped queued ESP as unknown SPI on a loaded machine.
  Duration rekeyed_inbound_grace() const {
    const Duration floor = std::min<Duration>(timers.rekeyed_inbound_grace, Duration(1000));
    return std::max(scaled(timers.rekeyed_inbound_grace), floor);
  }
  /// May this side start an IKE_SA (initially or after a failure)?
  bool may_initiate() const { return mode != ConnectionMode::responder_only; }
};

}  // namespace vpnlab::ike
