// Outbound flow, one worker thread, per owned tunnel (wireguard-go send.go):
//
//   1. read_batch      TUN -> batch of inner IPv4/IPv6 packets, each at kDefaultHeadroom in a
//                      pooled buffer (no allocation; pool exhaustion = backpressure)
//   2. SA lookup       the tunnel's switched-to outbound SA from the lock-free snapshot
//                      (route-based tunnel: the device selects the SA, like a VTI);
//                      none -> drop no_outbound_sa
//   3. MSS clamp       SYNs get their MSS lowered to the tunnel's (mss_clamp.hpp)
//   4. encrypt         OutboundSa::encap in place: seq assignment, SPI|Seq|IV in front,
//                      pad|pad length|next header|ICV behind (RFC 4303 3.3); drop reasons
//                      from the SA (seq_exhausted, lifetime_expired, no_room, ...)
//   5. send batch      peer = the SA's outer remote; DatagramSocket::write_batch (sendmmsg);
//                      the socket adds UDP 4500 (RFC 3948) or sends raw protocol 50
//
// Every dropped packet is counted once and its buffer returns to the pool when its slot is
// reset (RAII), on every path.

#include "dataplane/core/outbound.hpp"

#include <cstdio>
#include <cstdlib>

#include "dataplane/core/mss_clamp.hpp"

namespace vpnlab::dataplane {

namespace {

int register_or_abort(Dataplane& dp) {
  int slot = dp.table().register_reader();
  if (slot < 0) {
    std::fprintf(stderr, "dataplane: more workers than Options::max_workers\n");
    std::abort();
  }
  return slot;
}

// RFC 4303 2.6 / IANA protocol numbers: 4 for an IPv4 inner packet, 41 for IPv6.
std::uint8_t next_header_of(const PacketBuf& p) {
  if (p.size() < 20) return 0;
  switch (p.data()[0] >> 4) {
    case 4:
      return esp::kNextHeaderIpv4;
    case 6:
      return esp::kNextHeaderIpv6;
    default:
      return 0;
  }
}

}  // namespace

OutboundWorker::OutboundWorker(Dataplane& dp, std::vector<TunnelId> tunnels, WorkerBuffers buffers)
    : dp_(dp),
      tunnels_(std::move(tunnels)),
      slot_(register_or_abort(dp)),
      pool_(buffers.pool_size, buffers.buffer_size),
      batch_(buffers.batch) {}

std::size_t OutboundWorker::run_once() {
  const SaTable& table = *dp_.table().enter(slot_);
  std::size_t total = 0;
  for (TunnelId t : tunnels_) total += process_tunnel(t, table);
  return total;
}

std::size_t OutboundWorker::process_tunnel(TunnelId t, const SaTable& table) {
  Tunnel& tunnel = dp_.tunnel(t);
  // 1. read_batch
  batch_.clear();
  auto got = tunnel.tun->read_batch(batch_, pool_);
  if (!got || batch_.empty()) return 0;
  std::size_t n = batch_.size();
  // 2. SA lookup by device
  const OutboundEntry* out = table.active(t);
  if (out == nullptr) {
    for (std::size_t i = 0; i < n; ++i) tunnel.counters.tx.drop(DpDrop::no_outbound_sa);
    batch_.clear();
    return n;
  }
  // 3 + 4. MSS clamp, encrypt in place
  encrypt_batch(tunnel, *out);
  batch_.compact();
  if (batch_.empty()) return n;
  // 5. send batch
  std::size_t ready = batch_.size();
  auto sent = out->socket->write_batch(batch_);
  std::size_t ok = sent ? *sent : 0;
  tunnel.counters.tx.packets.add(ok);
  for (std::size_t i = ok; i < ready; ++i) tunnel.counters.tx.drop(DpDrop::send_failed);
  batch_.clear();
  return n;
}

void OutboundWorker::encrypt_batch(Tunnel& tunnel, const OutboundEntry& out) {
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    PacketBuf& p = batch_[i];
    std::uint8_t nh = next_header_of(p);
    if (nh == 0) {
      tunnel.counters.tx.drop(DpDrop::not_ip);
      batch_.slot(i).reset();
      continue;
    }
    if (tunnel.max_mss != 0 && clamp_tcp_mss(p.bytes(), tunnel.max_mss)) {
      tunnel.counters.mss_clamped.add();
    }
    std::uint32_t inner_len = p.size();
    auto r = out.sa->encap(p.storage(), p.headroom(), inner_len, nh);
    if (!r) {
      tunnel.counters.tx.drop(r.error());
      batch_.slot(i).reset();
      continue;
    }
    if (r->event != esp::LifetimeEvent::none) {
      dp_.report_lifetime(SaDirection::outbound, out.sa->spi(), r->event);
    }
    p.set_region(r->esp.offset, r->esp.length);
    p.peer = out.peer;
    p.tunnel = out.tunnel;
    bytes += inner_len;
  }
  tunnel.counters.tx.bytes.add(bytes);
}

}  // namespace vpnlab::dataplane
