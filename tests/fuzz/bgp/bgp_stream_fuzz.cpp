// libFuzzer target for the BGP speaker's receive path across arbitrary TCP read boundaries:
// the bytes of one connection, cut into reads where the input says, go through the
// speaker's Deframer (RFC 4271 §4.1 framing) into a BgpCore as the speaker feeds them
// (bgp/speaker/speaker.cpp read_next): the AWS VGW side of tunnel 1 of the reference lab,
// the peer (Azure, AS 65000) connecting to it.
//
// Input: octet 0 = n (mod 32) read sizes, then n octets (each size-1), then the stream. The
// sizes repeat until the stream is used up; n = 0 is one read. Property checked: the
// messages handed out do not depend on where reads split (same as one read of everything).
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "base/log.hpp"
#include "bgp/core/bgp_core.hpp"
#include "bgp/core/cloud.hpp"
#include "bgp/speaker/deframer.hpp"

using namespace vpnlab;
using namespace vpnlab::bgp;

namespace {

class FixedClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return {}; }
};

const Ipv4Address kLocal = *Ipv4Address::parse("169.254.21.1");
const Ipv4Address kPeer = *Ipv4Address::parse("169.254.21.2");
constexpr ConnId kConn = 1;

std::unique_ptr<BgpCore> vgw_core(const Clock& clock) {
  Personality p = aws_vgw();
  auto core = std::make_unique<BgpCore>(
      CoreConfig{p.asn, kLocal, p.multipath, {*Ipv4Prefix::parse("10.2.0.0/16")}}, clock);
  PeerConfig c;
  c.session.local_asn = p.asn;
  c.session.router_id = kLocal;
  c.session.local_address = kLocal;
  c.session.peer_address = kPeer;
  c.session.peer_asn = Asn{65000};
  c.session.hold_time = p.hold_time;
  c.session.keepalive_time = p.keepalive_time;
  c.session.passive = true;  // take the peer's connection, as a responder would
  c.import = p.import;
  c.export_policy = p.export_policy;
  c.device = "aws0t1";
  core->add_peer(std::move(c));
  core->start_peer(kPeer);
  return core;
}

/// True when the core closed the connection: the speaker stops reading it.
bool closed(std::vector<PeerIo> io) {
  for (const PeerIo& p : io) {
    if (std::holds_alternative<action::CloseTcp>(p.action)) return true;
  }
  return false;
}

std::vector<Bytes> one_read(ByteSpan stream) {
  Deframer d;
  d.feed(stream);
  std::vector<Bytes> out;
  while (auto m = d.next()) out.push_back(std::move(*m));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (log::set_level(log::Level::off), true);  // no log per input
  (void)quiet;
  if (size < 1) return 0;
  std::size_t n = data[0] % 32;
  if (size < 1 + n) return 0;
  ByteSpan sizes(data + 1, n);
  ByteSpan stream(data + 1 + n, size - 1 - n);
  const std::vector<Bytes> whole = one_read(stream);

  static const FixedClock clock;
  auto core = vgw_core(clock);
  core->on_tcp_connected(kPeer, kConn, false);
  if (closed(core->take_io())) std::abort();  // a passive peer accepts its connection
  Deframer deframer;
  std::size_t at = 0, got = 0, i = 0;
  bool open = true;
  while (open && at < stream.size()) {
    std::size_t len = n == 0 ? stream.size() : std::size_t{sizes[i++ % n]} + 1;
    len = std::min(len, stream.size() - at);
    deframer.feed(stream.subspan(at, len));
    at += len;
    while (open) {
      auto m = deframer.next();
      if (!m) break;
      if (got >= whole.size() || *m != whole[got]) std::abort();  // split-dependent framing
      ++got;
      core->on_message(kPeer, kConn, *m);
      open = !closed(core->take_io());
      (void)core->take_fib();
    }
  }
  if (open && got != whole.size()) std::abort();
  (void)core->status();
  return 0;
}
