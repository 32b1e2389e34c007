#pragma once
// One IKE_SA: runs exchanges (task lists) with a window of one (RFC 7296 2.3), message IDs
// (2.2), retransmission with exponential back-off and give-up (2.1, as timer actions), the
// response cache for retransmitted requests, DPD and lifetimes. Sans-I/O: every call returns
// Actions; datagrams come in already decoded by IkeManager with this SA's cipher().

#include <memory>
#include <optional>

#include "ike/core/sa_state.hpp"

namespace vpnlab::ike {

class IkeSa {
 public:
  /// An initiator; initiate() queues IKE_SA_INIT + IKE_AUTH (with the first CHILD_SA).
  static std::unique_ptr<IkeSa> make_initiator(PeerConfig config, Rng& rng,
                                               dataplane::SaInstaller& installer,
                                               CounterSet& counters);
  /// A responder for an IKE_SA_INIT from `remote` with the peer's SPIi.
  static std::unique_ptr<IkeSa> make_responder(PeerConfig config, Rng& rng,
                                               dataplane::SaInstaller& installer,
                                               CounterSet& counters, IkeSpi spi_i, Endpoint local,
                                               Endpoint remote);
  /// The IKE_SA that replaces `old` after an IKE_SA rekey (2.18); takes its CHILD_SAs.
  static std::unique_ptr<IkeSa> make_rekeyed(SaState& old, bool initiator, IkeSpi spi_i,
                                             IkeSpi spi_r, IkeSuite suite, IkeKeys keys, Bytes ni,
                                             Bytes nr);
  ~IkeSa();

  Actions initiate();
  /// A decoded message for this SA; raw is the datagram (IKE_SA_INIT bytes are signed).
  /// from/to: the datagram's addresses; replies leave from `to` towards `from` (2.11).
  Actions on_message(const Message& m, ByteSpan raw, Endpoint from, Endpoint to);
  Actions on_timer(TimerKind kind, std::uint32_t id);
  /// Operator / lifetime triggered exchanges.
  Actions rekey_child(esp::Spi inbound);
  Actions rekey_ike();
  Actions delete_child(esp::Spi inbound);
  Actions close();
  Actions send_dpd();
  /// Drops this IKE_SA and its CHILD_SAs without telling the peer (which no longer has them:
  /// INITIAL_CONTACT from a restarted peer, RFC 7296 2.4).
  Actions forget(const std::string& why);
  /// See SaState::send_initial_contact; set before initiate().
  void set_send_initial_contact(bool on) { s_.send_initial_contact = on; }
  /// True once: the peer's INITIAL_CONTACT arrived on this (now established) IKE_SA.
  bool take_peer_initial_contact() {
    bool on = s_.peer_initial_contact && s_.state == IkeState::established;
    if (on) s_.peer_initial_contact = false;
    return on;
  }
  /// Answers a request this SA could not decode (INVALID_SYNTAX etc., 2.21) in SK{}.
  Actions reject_request(const Header& h, NotifyType notify, Bytes data);

  IkeSpi local_spi() const { return s_.local_spi(); }
  IkeSpi spi_i() const { return s_.spi_i; }
  IkeSpi spi_r() const { return s_.spi_r; }
  bool is_initiator() const { return s_.initiator; }
  IkeState state() const { return s_.state; }
  const std::vector<ChildSa>& children() const { return s_.children; }
  const std::optional<IkeSuite>& suite() const { return s_.suite; }
  const PeerConfig& config() const { return s_.config; }
  Endpoint remote() const { return s_.remote; }
  SkCipher* cipher() { return s_.cipher.get(); }
  FragmentReassembler& reassembler() { return reasm_; }
  /// A successor created by an IKE_SA rekey during the last call, for the host to adopt.
  std::unique_ptr<IkeSa> take_successor() { return std::move(successor_); }
  /// Used by tasks: hand over the successor created by an IKE_SA rekey.
  void set_successor(std::unique_ptr<IkeSa> sa) { successor_ = std::move(sa); }
  SaState& state_for_tasks() { return s_; }
  const SaState& state_view() const { return s_; }

 private:
  IkeSa(PeerConfig config, Rng& rng, dataplane::SaInstaller& installer, CounterSet& counters);
  void kick();
  void send_request();
  void resend(const std::vector<Bytes>& datagrams);
  void handle_response(const Message& m, ByteSpan raw);
  void handle_request(const Message& m, ByteSpan raw);
  std::vector<std::unique_ptr<Task>> responder_tasks(const Message& m);
  std::vector<Bytes> encode(Message& m);
  void fail_exchange(TaskStatus status);
  void peer_dead(EventKind why);
  void arm_established_timers();
  Actions run(const std::function<void()>& f);

  struct Outstanding {
    Exchange exchange;
    MessageId id;
    std::vector<Bytes> datagrams;
    std::uint8_t tries = 0;
  };
  struct CachedResponse {
    MessageId id;
    std::vector<Bytes> datagrams;
  };

  SaState s_;
  std::optional<Outstanding> active_;
  std::optional<CachedResponse> cached_;
  std::uint32_t next_request_id_ = 0;   // our next request (2.2)
  std::uint32_t next_expected_id_ = 0;  // the peer's next request
  bool dpd_outstanding_ = false;
  FragmentReassembler reasm_;
  std::unique_ptr<IkeSa> successor_;
  friend class IkeSaTaskAccess;
};

}  // namespace vpnlab::ike
