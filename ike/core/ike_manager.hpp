#pragma once
// All IKE_SAs of one gateway: dispatches datagrams by SPI (RFC 7296 2.6), creates responder
// IKE_SAs for IKE_SA_INIT requests after the stateless COOKIE check (2.6), answers messages
// that fail to decode with the notify the codec asks for (2.21) or silence plus a counter,
// and adopts IKE_SAs created by rekeys. Sans-I/O like IkeSa: every call returns Actions.
//
// Counters: ike.rx.invalid_header, ike.rx.unknown_spi, ike.rx.unknown_peer,
// ike.rx.integrity_failed, ike.rx.invalid_syntax, ike.rx.unsupported_critical_payload,
// ike.rx.cookie_challenge, ike.rx.bad_cookie, ike.rx.refused_initiator_only,
// ike.rx.bad_response, ike.rx.invalid_major_version (answered, RFC 7296 2.5),
// ike.child.lifetime_soft/_hard/_unknown_sa, ike.initial_contact.deleted_sa (RFC 7296 2.4).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ike/core/ike_sa.hpp"

namespace vpnlab::ike {

class IkeManager {
 public:
  IkeManager(Rng& rng, dataplane::SaInstaller& installer, CounterSet& counters);
  ~IkeManager();

  /// Peers are matched by remote address for incoming IKE_SA_INIT.
  void add_peer(PeerConfig config);
  /// Starts an IKE_SA to the tunnel's peer unless its mode forbids initiating (Azure
  /// ResponderOnly, cloud-facts "Connection modes" [Z-MODE]).
  Actions connect(const std::string& tunnel);
  /// Gateway start: initiates every peer whose startup action is `start` (AWS StartupAction,
  /// cloud-facts "Startup action" [A-TUN]); `add` peers wait for the other side.
  Actions start_all();
  Actions on_datagram(const Datagram& d);
  Actions on_timer(IkeSpi sa, TimerKind kind, std::uint32_t id);
  /// The dataplane reports a CHILD_SA crossing a byte/packet limit (RFC 4301 4.4.2.1):
  /// soft -> CHILD_SA rekey, hard -> DELETE. Counters ike.child.lifetime_soft/_hard.
  Actions on_lifetime(dataplane::SaDirection dir, esp::Spi spi, dataplane::LifetimeEvent ev);
  /// (local, remote) of every established IKE_SA whose own address is translated: RFC 3948
  /// 4, the side behind the NAT sends NAT keepalives on the UDP-encapsulation port.
  std::vector<std::pair<Endpoint, Endpoint>> nat_keepalive_targets() const;
  dataplane::SaInstaller& installer() { return installer_; }
  /// Operator actions on an IKE_SA (by local SPI); empty Actions when it does not exist.
  Actions with_sa(IkeSpi sa, const std::function<Actions(IkeSa&)>& f);

  IkeSa* find(IkeSpi local);
  /// IKE_SAs of a tunnel, oldest first.
  std::vector<IkeSa*> sas_for(const std::string& tunnel);
  std::size_t half_open() const;
  std::size_t size() const { return sas_.size(); }

 private:
  Actions handle_init_request(const Datagram& d, const Header& h);
  Actions answer_major_version(const Datagram& d);
  /// Counts a dropped or refused datagram and logs it rate-limited (log_limited.hpp).
  void drop(const std::string& counter, const Datagram& d, const std::string& why);
  Actions send_plain_error(const Datagram& d, const Header& h, NotifyType n, Bytes data);
  Actions adopt(IkeSpi spi, Actions a);
  Actions forget_stale(const IkeSa& fresh);
  void erase(std::uint64_t spi);
  Bytes cookie_for(ByteSpan ni, const Endpoint& from, IkeSpi spi_i) const;
  const PeerConfig* peer_for(Ipv4Address remote) const;

  Rng& rng_;
  dataplane::SaInstaller& installer_;
  CounterSet& counters_;
  std::vector<PeerConfig> peers_;
  std::map<std::uint64_t, std::unique_ptr<IkeSa>> sas_;
  std::map<std::pair<Endpoint, std::uint64_t>, std::uint64_t> by_spi_i_;  // responder SAs
  Bytes cookie_secret_;
};

}  // namespace vpnlab::ike
