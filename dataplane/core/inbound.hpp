#pragma once
// InboundWorker: socket -> ESP -> TUN for every socket of the Dataplane (inbound.cpp has the
// stage map). One inbound worker per Dataplane: inbound SAs (their replay windows) are used
// by this worker only.

#include <cstddef>
#include <vector>

#include "dataplane/core/dataplane.hpp"
#include "dataplane/core/outbound.hpp"

namespace vpnlab::dataplane {

class InboundWorker {
 public:
  explicit InboundWorker(Dataplane& dp, WorkerBuffers buffers = {});
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
  void write_tunnels();

  Dataplane& dp_;
  int slot_;
  PacketPool pool_;
  PacketBatch batch_;
  std::vector<PacketBatch> per_tunnel_;  // index = TunnelId, preallocated
};

}  // namespace vpnlab::dataplane
