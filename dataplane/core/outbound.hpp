#pragma once
// OutboundWorker: TUN -> ESP -> socket for the tunnels it owns (outbound.cpp has the stage
// map). One worker per tunnel at a time: the tunnel's outbound SA (its sequence number) is
// used by this worker only.

#include <cstddef>
#include <vector>

#include "dataplane/core/dataplane.hpp"
#include "dataplane/core/packet_batch.hpp"
#include "dataplane/core/packet_pool.hpp"

namespace vpnlab::dataplane {

/// A snapshot reader slot for a worker on `lane` (< dp.lanes()); aborts on a setup bug.
int register_worker(Dataplane& dp, std::size_t lane);

struct WorkerBuffers {
  std::uint32_t pool_size = 512;     // buffers per worker
  std::uint32_t buffer_size = 2048;  // bytes per buffer, headroom included
  std::size_t batch = kIdealBatchSize;
};

class OutboundWorker {
 public:
  /// Registers a snapshot reader slot; aborts if the Dataplane has none left (a setup bug).
  OutboundWorker(Dataplane& dp, std::vector<TunnelId> tunnels, WorkerBuffers buffers = {},
                 std::size_t lane = 0);
  OutboundWorker(const OutboundWorker&) = delete;
  OutboundWorker& operator=(const OutboundWorker&) = delete;

  /// One pass over the owned tunnels: read one batch from each TUN, encapsulate, send.
  /// Returns the number of packets read (0: nothing was ready). Never blocks.
  std::size_t run_once();
  /// The worker is about to block: it holds no SA table snapshot while idle.
  void idle() { dp_.table().leave(slot_); }
  const std::vector<TunnelId>& tunnels() const { return tunnels_; }
  std::size_t lane() const { return lane_; }

 private:
  std::size_t process_tunnel(TunnelId t, const SaTable& table);
  void encrypt_batch(Tunnel& tunnel, const OutboundEntry& out);

  Dataplane& dp_;
  std::vector<TunnelId> tunnels_;
  std::size_t lane_;
  int slot_;
  PacketPool pool_;
  PacketBatch batch_;
  std::vector<esp::OutboundSa::Job> jobs_;  // one per packet of batch_, reused
  std::vector<std::size_t> job_slot_;       // the batch_ slot of each job
};

}  // namespace vpnlab::dataplane
