#include "ike/core/ike_manager.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "base/log.hpp"
#include "base/log_limited.hpp"

namespace vpnlab::ike {
namespace {

constexpr std::uint8_t kCookieVersion = 1;

std::string counter_for(const ParseError& e) {
  switch (e.notify) {
    case NotifyType::unsupported_critical_payload:
      return "ike.rx.unsupported_critical_payload";
    case NotifyType::invalid_major_version:
      return "ike.rx.invalid_major_version";
    default:
      return "ike.rx.invalid_syntax";
  }
}

}  // namespace

void IkeManager::drop(const std::string& counter, const Datagram& d, const std::string& why) {
  counters_.get(counter).add();
  VPNLAB_LOG_LIMITED(warn, "ike", counter, "from %s:%u: %s", d.from.address.to_string().c_str(),
                     d.from.port, why.c_str());
}

IkeManager::IkeManager(Rng& rng, dataplane::SaInstaller& installer, CounterSet& counters)
    : rng_(rng), installer_(installer), counters_(counters), cookie_secret_(rng.bytes(32)) {}
IkeManager::~IkeManager() = default;

void IkeManager::add_peer(PeerConfig config) {
  peers_.push_back(std::move(config));
}

const PeerConfig* IkeManager::peer_for(Ipv4Address remote) const {
  for (const PeerConfig& p : peers_) {
    if (p.remote == remote) return &p;
  }
  return nullptr;
}

IkeSa* IkeManager::find(IkeSpi local) {
  auto it = sas_.find(local.value);
  return it == sas_.end() ? nullptr : it->second.get();
}

std::vector<IkeSa*> IkeManager::sas_for(const std::string& tunnel) {
  std::vector<IkeSa*> out;
  for (auto& [spi, sa] : sas_) {
    if (sa->config().tunnel == tunnel) out.push_back(sa.get());
  }
  return out;
}

std::size_t IkeManager::half_open() const {
  std::size_t n = 0;
  for (const auto& [spi, sa] : sas_) {
    if (!sa->is_initiator() && sa->state() == IkeState::connecting) ++n;
  }
  return n;
}

Actions IkeManager::connect(const std::string& tunnel) {
  for (const PeerConfig& p : peers_) {
    if (p.tunnel != tunnel) continue;
    if (!p.may_initiate()) {
      counters_.get("ike.connect.refused_responder_only").add();
      return {};
    }
    auto sa = IkeSa::make_initiator(p, rng_, installer_, counters_);
    // RFC 7296 2.4: INITIAL_CONTACT only when no other IKE_SA with this peer is up (a
    // second one, e.g. after a drill, must not make the peer drop the first).
    auto others = sas_for(tunnel);
    sa->set_send_initial_contact(std::none_of(others.begin(), others.end(), [](IkeSa* o) {
      return o->state() == IkeState::established || o->state() == IkeState::rekeyed;
    }));
    IkeSpi spi = sa->local_spi();
    IkeSa& ref = *sa;
    sas_[spi.value] = std::move(sa);
    return adopt(spi, ref.initiate());
  }
  return {};
}

Actions IkeManager::start_all() {
  Actions a;
  std::vector<std::string> tunnels;
  for (const PeerConfig& p : peers_) {
    if (p.startup == StartupAction::start) tunnels.push_back(p.tunnel);
  }
  for (const std::string& t : tunnels) a.merge(connect(t));
  return a;
}

Actions IkeManager::adopt(IkeSpi spi, Actions a) {
  IkeSa* sa = find(spi);
  if (!sa) return a;
  if (auto next = sa->take_successor()) {
    IkeSpi nspi = next->local_spi();
    sas_[nspi.value] = std::move(next);
  }
  if (sa->take_peer_initial_contact()) a.merge(forget_stale(*sa));
  if (a.destroy) {
    std::string tunnel = sa->config().tunnel;
    erase(spi.value);
    if (a.restart) a.merge(connect(tunnel));
  }
  return a;
}

void IkeManager::erase(std::uint64_t spi) {
  for (auto it = by_spi_i_.begin(); it != by_spi_i_.end();) {
    it = it->second == spi ? by_spi_i_.erase(it) : std::next(it);
  }
  sas_.erase(spi);
}

Actions IkeManager::forget_stale(const IkeSa& fresh) {
  // RFC 7296 2.4: the peer authenticated as this tunnel's identity says the new IKE_SA is
  // its only one (it restarted: a CGW reboot, an AWS endpoint replacement). Our older
  // IKE_SAs with it are dead; waiting for DPD would keep their CHILD_SAs and, once DPD
  // fires, take the tunnel down under the new SA. They go silently: the peer has no state
  // to DELETE. SAs still negotiating are left alone (ours may be racing the peer's).
  Actions out;
  std::vector<std::uint64_t> stale;
  for (const auto& [spi, sa] : sas_) {
    if (sa.get() == &fresh || sa->config().tunnel != fresh.config().tunnel) continue;
    if (sa->state() == IkeState::connecting || sa->state() == IkeState::created) continue;
    stale.push_back(spi);
  }
  for (std::uint64_t spi : stale) {
    counters_.get("ike.initial_contact.deleted_sa").add();
    VPNLAB_LOG(info, "ike", "%s: INITIAL_CONTACT from the peer: deleting stale IKE_SA %016llx",
               fresh.config().tunnel.c_str(), static_cast<unsigned long long>(spi));
    out.merge(sas_[spi]->forget("INITIAL_CONTACT: the peer restarted"));
    erase(spi);
  }
  return out;
}

Actions IkeManager::with_sa(IkeSpi spi, const std::function<Actions(IkeSa&)>& f) {
  IkeSa* sa = find(spi);
  if (!sa) return {};
  return adopt(spi, f(*sa));
}

Actions IkeManager::on_timer(IkeSpi spi, TimerKind kind, std::uint32_t id) {
  return with_sa(spi, [&](IkeSa& sa) { return sa.on_timer(kind, id); });
}

Actions IkeManager::on_lifetime(dataplane::SaDirection dir, esp::Spi spi,
                                dataplane::LifetimeEvent ev) {
  bool in = dir == dataplane::SaDirection::inbound;
  for (auto& [local, sa] : sas_) {
    for (const ChildSa& c : sa->children()) {
      if ((in ? c.inbound : c.outbound) != spi) continue;
      if (ev == dataplane::LifetimeEvent::soft_expired) {
        counters_.get("ike.child.lifetime_soft").add();
        // Only the CHILD_SA in use is rekeyed; a replaced one is on its way out already.
        if (c.state != ChildState::installed || c.replaced_by) return {};
        return on_timer(IkeSpi{local}, TimerKind::child_rekey, c.inbound.value);
      }
      counters_.get("ike.child.lifetime_hard").add();
      if (c.state == ChildState::deleting) return {};
      return on_timer(IkeSpi{local}, TimerKind::child_expire, c.inbound.value);
    }
  }
  counters_.get("ike.child.lifetime_unknown_sa").add();
  return {};
}

std::vector<std::pair<Endpoint, Endpoint>> IkeManager::nat_keepalive_targets() const {
  std::vector<std::pair<Endpoint, Endpoint>> out;
  for (const auto& [spi, sa] : sas_) {
    const SaState& s = sa->state_view();
    if (s.state == IkeState::established && s.local_behind_nat) out.emplace_back(s.local, s.remote);
  }
  return out;
}

Actions IkeManager::on_datagram(const Datagram& d) {
  auto h = decode_header(d.data);
  if (!h && h.error().code == errc::invalid_major_version) return answer_major_version(d);
  if (!h) {
    drop("ike.rx.invalid_header", d, h.error().message);
    return {};
  }
  if (h->exchange == ExchangeType::ike_sa_init && !h->is_response() && h->spi_r.value == 0) {
    return handle_init_request(d, *h);
  }
  // RFC 7296 2.6: our SPI is SPIr when the sender is the original initiator.
  IkeSpi local = h->from_initiator() ? h->spi_r : h->spi_i;
  IkeSa* sa = find(local);
  if (!sa) {
    drop("ike.rx.unknown_spi", d, "no IKE_SA with this SPI (RFC 7296 2.21.4: dropped)");
    return {};
  }
  auto m = decode_message(d.data, sa->cipher(), &sa->reassembler());
  if (!m) {
    const ParseError& e = m.error();
    if (e.code == errc::integrity_failed) {
      drop("ike.rx.integrity_failed", d, "ICV does not verify (RFC 7296 2.21.2: discarded)");
      return {};
    }
    drop(counter_for(e), d, e.message);
    // 2.21.2: errors in a request are answered (INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD);
    // a broken response is only counted.
    if (h->is_response() || e.notify == NotifyType::none) return {};
    return with_sa(local, [&](IkeSa& s) { return s.reject_request(*h, e.notify, e.notify_data); });
  }
  if (!*m) return {};  // waiting for more SKF fragments
  return with_sa(local, [&](IkeSa& s) { return s.on_message(**m, d.data, d.from, d.to); });
}

Actions IkeManager::handle_init_request(const Datagram& d, const Header& h) {
  const PeerConfig* peer = peer_for(d.from.address);
  if (!peer) {
    drop("ike.rx.unknown_peer", d, "IKE_SA_INIT from an address no tunnel has as its peer");
    return {};
  }
  auto existing = by_spi_i_.find({d.from, h.spi_i.value});
  if (existing != by_spi_i_.end()) {
    // A retransmitted IKE_SA_INIT: the SA's response cache answers it.
    auto m = decode_message(d.data, nullptr, nullptr);
    if (!m || !*m) return {};
    IkeSpi spi{existing->second};
    return with_sa(spi, [&](IkeSa& s) { return s.on_message(**m, d.data, d.from, d.to); });
  }
  auto m = decode_message(d.data, nullptr, nullptr);
  if (!m) {
    drop(counter_for(m.error()), d, m.error().message);
    if (m.error().notify == NotifyType::none) return {};
    return send_plain_error(d, h, m.error().notify, m.error().notify_data);
  }
  if (peer->mode == ConnectionMode::initiator_only) {
    // cloud-facts: "Connection modes" InitiatorOnly: Azure must initiate [Z-MODE].
    drop("ike.rx.refused_initiator_only", d,
         "IKE_SA_INIT refused: the connection is InitiatorOnly");
    return {};
  }
  const Message& msg = **m;
  if (half_open() >= peer->cookie_threshold) {
    // RFC 7296 2.6: above the threshold, demand a cookie before keeping any state.
    auto* nonce = msg.get<NoncePayload>(PayloadType::nonce);
    Bytes want = cookie_for(nonce->data, d.from, h.spi_i);
    auto* got = msg.notify(NotifyType::cookie);
    bool first = !msg.payloads.empty() && std::get_if<NotifyPayload>(&msg.payloads[0].body) == got;
    if (!got || !first || got->data != want) {
      drop(got ? "ike.rx.bad_cookie" : "ike.rx.cookie_challenge", d,
           got ? "IKE_SA_INIT with a wrong COOKIE: a new one demanded (RFC 7296 2.6)"
               : "half-open IKE_SAs at the threshold: COOKIE demanded (RFC 7296 2.6)");
      return send_plain_error(d, h, NotifyType::cookie, want);
    }
  }
  if (half_open() >= peer->half_open_limit) {
    drop("ike.rx.half_open_limit", d, "half-open IKE_SAs at their limit: IKE_SA_INIT dropped");
    return {};
  }
  counters_.get("ike.half_open.created").add();
  auto sa = IkeSa::make_responder(*peer, rng_, installer_, counters_, h.spi_i, d.to, d.from);
  IkeSpi spi = sa->local_spi();
  by_spi_i_[{d.from, h.spi_i.value}] = spi.value;
  sas_[spi.value] = std::move(sa);
  return with_sa(spi, [&](IkeSa& s) { return s.on_message(msg, d.data, d.from, d.to); });
}

Actions IkeManager::send_plain_error(const Datagram& d, const Header& h, NotifyType n, Bytes data) {
  // RFC 7296 2.21.1: IKE_SA_INIT errors are sent unprotected, SPIr zero, no state kept.
  Message r;
  r.header = h;
  r.header.spi_r.value = 0;
  r.header.flags = Header::kFlagResponse;
  r.add_notify(n, std::move(data));
  Actions a;
  auto wire = encode_message(r, nullptr);
  if (wire) a.send.push_back(Datagram{d.to, d.from, std::move(*wire)});
  return a;
}

Actions IkeManager::answer_major_version(const Datagram& d) {
  // RFC 7296 2.5: drop the message; answer a request with an unauthenticated
  // INVALID_MAJOR_VERSION carrying our version (2.0) in the header, SPIs and Message ID
  // copied (1.5). A response is never answered (no reflection loops).
  drop("ike.rx.invalid_major_version", d, "IKE major version is not 2 (RFC 7296 2.5)");
  ByteReader r(d.data);
  Header h;
  h.spi_i.value = *r.u64();
  h.spi_r.value = *r.u64();
  r.skip(2);
  h.exchange = static_cast<ExchangeType>(*r.u8());
  std::uint8_t flags = *r.u8();
  h.message_id.value = *r.u32();
  if (flags & Header::kFlagResponse) return {};
  Message m;
  m.header = h;
  m.header.flags = Header::kFlagResponse;
  m.add_notify(NotifyType::invalid_major_version);
  Actions a;
  auto wire = encode_message(m, nullptr);
  if (wire) a.send.push_back(Datagram{d.to, d.from, std::move(*wire)});
  return a;
}

Bytes IkeManager::cookie_for(ByteSpan ni, const Endpoint& from, IkeSpi spi_i) const {
  // RFC 7296 2.6: Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>).
  Bytes in(ni.begin(), ni.end());
  ByteWriter w(in);
  w.u32(from.address.value);
  w.u64(spi_i.value);
  w.bytes(cookie_secret_);
  Bytes out(1 + EVP_MAX_MD_SIZE);
  unsigned len = 0;
  out[0] = kCookieVersion;
  EVP_Digest(in.data(), in.size(), out.data() + 1, &len, EVP_sha256(), nullptr);
  out.resize(1 + len);
  return out;
}

}  // namespace vpnlab::ike
