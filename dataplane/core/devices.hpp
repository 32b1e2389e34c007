#pragma once
// The two device abstractions the pipeline runs over (wireguard-go tun.Device / conn.Bind):
// a TUN device carrying inner IPv4 packets of one tunnel, and a datagram socket carrying
// outer packets (ESP-in-UDP on 4500, or raw ESP). Both are batch-first: batch 1 is a valid
// implementation, not a special case. dataplane/linux implements them over file descriptors;
// fake_devices.hpp in memory.
//
// Reads never block: they return what is ready (0 when nothing is), so a worker can poll
// several devices. Waiting for readiness is the worker's business (poll on fds in linux,
// explicit stepping in tests).

#include <cstddef>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "dataplane/core/packet_batch.hpp"

namespace vpnlab::dataplane {

class TunDevice {
 public:
  virtual ~TunDevice() = default;
  /// Largest batch one read_batch call returns; fixed for the device's life.
  virtual std::size_t batch_size() const = 0;
  /// Appends up to min(batch_size, out's free slots) inner packets taken from `pool`;
  /// returns how many. Each packet starts at the pool's headroom.
  virtual Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) = 0;
  /// Writes every packet of `in` (inner IPv4 packets) and clears it; returns how many the
  /// device accepted (the rest are dropped, as a full TUN queue drops).
  virtual Result<std::size_t> write_batch(PacketBatch& in) = 0;
};

class DatagramSocket {
 public:
  virtual ~DatagramSocket() = default;
  virtual std::size_t batch_size() const = 0;
  /// true: ESP in UDP (RFC 3948), datagrams may also be IKE (non-ESP marker); false: raw
  /// IP protocol 50, the payload is the ESP packet.
  virtual bool udp_encap() const = 0;
  /// Appends received datagrams (payload only: no outer IP or UDP header), each with
  /// `peer` set to the sender.
  virtual Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) = 0;
  /// Sends each packet's bytes to its `peer` and clears the batch; returns how many were sent.
  virtual Result<std::size_t> write_batch(PacketBatch& in) = 0;
  /// Sends one control datagram (IKE) from any thread, concurrently with the worker's
  /// write_batch. Not for the hot path.
  virtual Result<void> send_control(const Endpoint& peer, ByteSpan payload) = 0;
};

}  // namespace vpnlab::dataplane
