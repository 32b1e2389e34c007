// Inbound flow, one worker thread (lane) over its sockets (wireguard-go receive.go):
//
//   1. read_batch      socket -> batch of datagram payloads (outer IP/UDP already removed
//                      by the socket), each with its sender
//   2. marker split    UDP 4500 (RFC 3948 2.2): 0xFF alone = NAT-keepalive (consumed);
//                      4 zero bytes = non-ESP marker -> IKE, copied to the control queue
//                      (full: drop ike_queue_full); port 500: all IKE; raw: all ESP
//   3. SPI lookup      inbound SA by SPI from the lock-free snapshot (RFC 4303 3.4.2);
//                      < 8 bytes -> too_short, none -> unknown_spi
//   4. replay check, decrypt, replay update
//                      per run of consecutive packets with one SPI, InboundSa::decap_batch
//                      in place with the lane's cipher context, in RFC 4303 3.4.3/3.4.4
//                      order: check the window, verify ICV + decrypt, then mark the number
//                      received (window locked twice per run, shared with other lanes); drop
//                      reasons from the SA (replay, auth_failed, bad_padding, ...)
//   5. TUN write       grouped per tunnel, one write_batch per tunnel per pass, to the
//                      lane's queue
//
// Every dropped packet is counted once; buffers return to the pool by RAII.

#include "dataplane/core/inbound.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/log_limited.hpp"

namespace vpnlab::dataplane {

namespace {
// RFC 4303 2: SPI (4) + Sequence Number (4) at least.
constexpr std::size_t kEspHeaderSize = 8;
// RFC 3948 2.3: a NAT-keepalive packet is a single octet 0xFF.
bool is_keepalive(const PacketBuf& p) {
  return p.size() == 1 && p.data()[0] == 0xff;
}
// RFC 3948 2.2: the non-ESP marker is 4 zero octets where the SPI would be.
bool has_non_esp_marker(const PacketBuf& p) {
  return p.size() >= 4 && load_be32(p.data()) == 0;
}
// Drops of untrusted input are counted per packet and logged at most once per second per
// reason (the counter's name): a flood of forged ESP must not flood the log.
const char* esp_drop_counter(esp::DropReason r) {
  static const auto names = [] {
    std::array<std::string, esp::kDropReasonCount> n;
    for (std::size_t i = 0; i < n.size(); ++i)
      n[i] = "esp.rx.drop." + std::string(esp::to_string(static_cast<esp::DropReason>(i)));
    return n;
  }();
  return names[static_cast<std::size_t>(r)].c_str();
}
void log_drop(const char* counter, const PacketBuf& p, const char* what, std::uint32_t spi) {
  VPNLAB_LOG_LIMITED(warn, "esp", counter, "%s: SPI 0x%08x, %u bytes from %s:%u", what, spi,
                     static_cast<unsigned>(p.size()), p.peer.address.to_string().c_str(),
                     p.peer.port);
}
}  // namespace

InboundWorker::InboundWorker(Dataplane& dp, WorkerBuffers buffers, std::size_t lane)
    : dp_(dp),
      lane_(lane),
      slot_(register_worker(dp, lane)),
      pool_(buffers.pool_size, buffers.buffer_size),
      batch_(buffers.batch) {
  jobs_.reserve(buffers.batch == 0 ? 1 : buffers.batch);
  per_tunnel_.reserve(dp.tunnel_count());
  for (std::size_t i = 0; i < dp.tunnel_count(); ++i) per_tunnel_.emplace_back(buffers.batch);
}

std::size_t InboundWorker::run_once() {
  const SaTable& table = *dp_.table().enter(slot_);
  std::size_t total = 0;
  for (const SocketPort& port : dp_.sockets()) {
    if (port.lane == lane_ && port.receive) total += process_socket(port, table);
  }
  return total;
}

std::size_t InboundWorker::process_socket(const SocketPort& port, const SaTable& table) {
  // 1. read_batch
  batch_.clear();
  auto got = port.socket->read_batch(batch_, pool_);
  if (!got || batch_.empty()) return 0;
  std::size_t n = batch_.size();
  // 2. non-ESP marker split
  classify(port);
  batch_.compact();
  // 3 + 4. SPI lookup, replay check, decrypt, replay update
  decrypt_batch(table);
  batch_.clear();
  // 5. TUN write
  write_tunnels();
  return n;
}

void InboundWorker::classify(const SocketPort& port) {
  GlobalCounters& g = dp_.global_counters();
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    PacketBuf& p = batch_[i];
    ByteSpan ike;
    if (port.role == SocketRole::ike) {
      ike = p.bytes();
    } else if (port.role == SocketRole::esp_udp && is_keepalive(p)) {
      g.keepalives.add();
      batch_.slot(i).reset();
      continue;
    } else if (port.role == SocketRole::esp_udp && has_non_esp_marker(p)) {
      ike = p.bytes().subspan(4);
    } else {
      continue;  // ESP
    }
    if (dp_.ike_queue().push(port.local, p.peer, ike)) {
      g.ike_received.add();
    } else {
      g.rx.drop(DpDrop::ike_queue_full);
      log_drop("dp.rx.drop.ike_queue_full", p, "IKE datagram dropped, control queue full", 0);
    }
    batch_.slot(i).reset();
  }
}

void InboundWorker::decrypt_batch(const SaTable& table) {
  for (std::size_t i = 0; i < batch_.size();) i = decrypt_run(table, i);
}

// Decapsulates the packets from `begin` that share its SPI (usually the whole batch: one
// socket mostly carries one peer's SA); returns where the run ended.
std::size_t InboundWorker::decrypt_run(const SaTable& table, std::size_t begin) {
  GlobalCounters& g = dp_.global_counters();
  PacketBuf& first = batch_[begin];
  if (first.size() < kEspHeaderSize) {
    g.rx.drop(DpDrop::too_short);
    log_drop("dp.rx.drop.too_short", first, "ESP shorter than SPI + Sequence Number", 0);
    return begin + 1;
  }
  const std::uint32_t spi = load_be32(first.data());
  const InboundEntry* in = table.find_inbound(spi);
  if (in == nullptr) {
    g.rx.drop(DpDrop::unknown_spi);
    log_drop("dp.rx.drop.unknown_spi", first, "no inbound SA (RFC 4303 3.4.2)", spi);
    return begin + 1;
  }
  jobs_.clear();
  std::size_t end = begin;
  for (; end < batch_.size() && jobs_.size() < jobs_.capacity(); ++end) {
    PacketBuf& p = batch_[end];
    if (p.size() < kEspHeaderSize || load_be32(p.data()) != spi) break;
    esp::InboundSa::Job job;
    job.buf = p.storage();
    job.offset = p.headroom();
    job.length = p.size();
    jobs_.push_back(job);
  }
  in->sa->decap_batch(lane_, jobs_);
  std::int64_t now = 0;  // read once per batch, when a limit first needs it
  for (std::size_t k = 0; k < jobs_.size(); ++k) deliver(*in, begin + k, jobs_[k], now);
  return end;
}

void InboundWorker::deliver(const InboundEntry& in, std::size_t index,
                            const esp::InboundSa::Job& job, std::int64_t& now) {
  Tunnel& tunnel = dp_.tunnel(in.tunnel);
  if (!job.ok) {
    tunnel.counters.rx.drop(job.reason);
    log_drop(esp_drop_counter(job.reason), batch_[index], "ESP dropped by the SA",
             in.sa->spi().value);
    return;
  }
  if (job.out.event != esp::LifetimeEvent::none) {
    dp_.report_lifetime(SaDirection::inbound, in.sa->spi(), job.out.event);
  }
  // Emulated cloud limits on the decrypted (inner) bytes, as CloudWatch counts them.
  if (tunnel.rx_limit.enabled() || dp_.aggregate_rx_limit().enabled()) {
    if (now == 0) now = RatePolicer::now_ns();
    const auto bytes = static_cast<std::uint32_t>(job.out.inner.length);
    if (!tunnel.rx_limit.admit(bytes, now) || !dp_.aggregate_rx_limit().admit(bytes, now)) {
      tunnel.counters.rx.drop(DpDrop::rate_limited);
      return;
    }
  }
  PacketBuf& p = batch_[index];
  p.set_region(job.out.inner.offset, job.out.inner.length);
  p.tunnel = in.tunnel;
  tunnel.counters.rx.bytes.add(job.out.inner.length);
  PacketBatch& out = per_tunnel_[in.tunnel.value];
  if (out.full()) write_tunnels();  // keep order: flush before the batch overflows
  out.push(std::move(batch_.slot(index)));
}

void InboundWorker::write_tunnels() {
  for (std::size_t t = 0; t < per_tunnel_.size(); ++t) {
    PacketBatch& out = per_tunnel_[t];
    if (out.empty()) continue;
    Tunnel& tunnel = dp_.tunnel(TunnelId{static_cast<std::uint16_t>(t)});
    std::size_t ready = out.size();
    auto w = tunnel.queue(lane_).write_batch(out);
    std::size_t ok = w ? *w : 0;
    tunnel.counters.rx.packets.add(ok);
    for (std::size_t i = ok; i < ready; ++i) tunnel.counters.rx.drop(DpDrop::tun_write_failed);
    out.clear();
  }
}

}  // namespace vpnlab::dataplane
