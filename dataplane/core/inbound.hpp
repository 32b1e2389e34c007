#pragma once
// InboundWorker: socket -> ESP -> TUN for the sockets of one lane (inbound.cpp has the stage
// map), writing to the lane's TUN queues. Several lanes may decapsulate for one SA at once:
// InboundSa::decap_batch locks the SA's replay window twice per run of packets.

#include <cstddef>
#include <vector>

#include "dataplane/core/dataplane.hpp"
#include "dataplane/core/outbound.hpp"

namespace vpnlab::dataplane {

class InboundWorker {
 public:
  explicit InboundWorker(Dataplane& dp, WorkerBuffers buffers = {}, std::size_t lane = 0);
  InboundWorker(const InboundWorker&) = delete;
  InboundWorker& operator=(const InboundWorker&) = delete;

  /// One pass: one batch from each socket, classified, decapsulated and written to the
  /// tunnels' TUN devices. Returns the datagrams read (0: nothing was ready). Never blocks.
  std::size_t run_once();
  void idle() { dp_.table().leave(slot_); }

 private:
  std::size_t process_socket(const SocketPort& port, const SaTable& table);
  void classify(const SocketPort& port);
  void decrypt_batch(const SaTable& table);
  std::size_t decrypt_run(const SaTable& table, std::size_t begin);
  /// `now`: the batch's clock for the emulated limits, read on first use (0 until then).
  void deliver(const InboundEntry& in, std::size_t index, const esp::InboundSa::Job& job,
               std::int64_t& now);
  void write_tunnels();

  Dataplane& dp_;
  std::size_t lane_;
  int slot_;
  std::vector<esp::InboundSa::Job> jobs_;  // one run of packets for one SA, preallocated
  PacketPool pool_;
  PacketBatch batch_;
  std::vector<PacketBatch> per_tunnel_;  // index = TunnelId, preallocated
};

}  // namespace vpnlab::dataplane
