// Outbound flow, one worker thread (lane), per tunnel it serves (wireguard-go send.go):
//
//   1. read_batch      the lane's TUN queue -> batch of inner IPv4/IPv6 packets, each at
//                      kDefaultHeadroom in a pooled buffer (no allocation; pool exhaustion =
//                      backpressure)
//   2. SA lookup       the tunnel's switched-to outbound SA from the lock-free snapshot
//                      (route-based tunnel: the device selects the SA, like a VTI);
//                      none -> drop no_outbound_sa
//   2b. limits       emulated cloud limits (rate_policer.hpp), when set: drop rate_limited
//   3. MSS clamp       SYNs get their MSS lowered to the tunnel's (mss_clamp.hpp)
//   4. encrypt         one block of sequence numbers for the batch (one atomic operation,
//                      shared with the other lanes), then OutboundSa::encap_batch in place
//                      with the lane's cipher context (the backend may interleave the
//                      packets, esp/crypto_backend.hpp): SPI|Seq|IV in front,
//                      pad|pad length|next header|ICV behind (RFC 4303 3.3); drop reasons
//                      from the SA (seq_exhausted, lifetime_expired, no_room, ...)
//   5. send batch      peer = the SA's outer remote; the lane's DatagramSocket::write_batch
//                      (sendmmsg);
//                      the socket adds UDP 4500 (RFC 3948) or sends raw protocol 50
//
// Every dropped packet is counted once and its buffer returns to the pool when its slot is
// reset (RAII), on every path.

#include "dataplane/core/outbound.hpp"

#include <cstdio>
#include <cstdlib>

#include "dataplane/core/mss_clamp.hpp"

namespace vpnlab::dataplane {

namespace {}  // namespace

// A snapshot reader slot for a worker on `lane`; aborts on a setup bug (more workers than
// Options::max_workers, or a lane the SAs have no cipher context for).
int register_worker(Dataplane& dp, std::size_t lane) {
  int slot = dp.table().register_reader();
  if (slot < 0 || lane >= dp.lanes()) {
    std::fprintf(stderr, "dataplane: worker lane %zu beyond Options::lanes/max_workers\n", lane);
    std::abort();
  }
  return slot;
}

namespace {

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

OutboundWorker::OutboundWorker(Dataplane& dp, std::vector<TunnelId> tunnels, WorkerBuffers buffers,
                               std::size_t lane)
    : dp_(dp),
      tunnels_(std::move(tunnels)),
      lane_(lane),
      slot_(register_worker(dp, lane)),
      pool_(buffers.pool_size, buffers.buffer_size),
      batch_(buffers.batch) {
  jobs_.reserve(buffers.batch == 0 ? 1 : buffers.batch);
  job_slot_.reserve(jobs_.capacity());
}

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
  auto got = tunnel.queue(lane_).read_batch(batch_, pool_);
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
  auto sent = out->socket_for(lane_)->write_batch(batch_);
  std::size_t ok = sent ? *sent : 0;
  tunnel.counters.tx.packets.add(ok);
  for (std::size_t i = ok; i < ready; ++i) tunnel.counters.tx.drop(DpDrop::send_failed);
  batch_.clear();
  return n;
}

void OutboundWorker::encrypt_batch(Tunnel& tunnel, const OutboundEntry& out) {
  jobs_.clear();
  job_slot_.clear();
  RatePolicer& aggregate = dp_.aggregate_tx_limit();
  const bool policed = tunnel.tx_limit.enabled() || aggregate.enabled();
  const std::int64_t now = policed ? RatePolicer::now_ns() : 0;
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    PacketBuf& p = batch_[i];
    std::uint8_t nh = next_header_of(p);
    if (nh == 0) {
      tunnel.counters.tx.drop(DpDrop::not_ip);
      batch_.slot(i).reset();
      continue;
    }
    // Emulated cloud limits, before the cipher spends time on what would be dropped.
    if (policed && !(tunnel.tx_limit.admit(static_cast<std::uint32_t>(p.size()), now) &&
                     aggregate.admit(static_cast<std::uint32_t>(p.size()), now))) {
      tunnel.counters.tx.drop(DpDrop::rate_limited);
      batch_.slot(i).reset();
      continue;
    }
    if (tunnel.max_mss != 0 && clamp_tcp_mss(p.bytes(), tunnel.max_mss)) {
      tunnel.counters.mss_clamped.add();
    }
    jobs_.push_back(esp::OutboundSa::Job{p.storage(), p.headroom(), p.size(), nh});
    job_slot_.push_back(i);
  }
  // Numbers of dropped packets are skipped: gaps are fine for the receiver's window.
  const auto seqs = out.sa->reserve(static_cast<std::uint32_t>(jobs_.size()));
  out.sa->encap_batch(lane_, seqs, jobs_);
  std::uint64_t bytes = 0;
  for (std::size_t k = 0; k < jobs_.size(); ++k) {
    const esp::OutboundSa::Job& j = jobs_[k];
    if (!j.ok) {
      tunnel.counters.tx.drop(j.reason);
      batch_.slot(job_slot_[k]).reset();
      continue;
    }
    if (j.out.event != esp::LifetimeEvent::none) {
      dp_.report_lifetime(SaDirection::outbound, out.sa->spi(), j.out.event);
    }
    PacketBuf& p = batch_[job_slot_[k]];
    p.set_region(j.out.esp.offset, j.out.esp.length);
    p.peer = out.peer;
    p.tunnel = out.tunnel;
    bytes += j.length;
  }
  tunnel.counters.tx.bytes.add(bytes);
}

}  // namespace vpnlab::dataplane
