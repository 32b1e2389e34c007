#pragma once
// In-memory TunDevice and DatagramSocket (wireguard-go tun/tuntest, conn/bindtest), so two
// gateways' dataplanes can talk in one process without root. Not for the hot path: they copy
// and allocate freely. Thread-safe (one mutex each), so tests can run workers on threads.
// Several sockets may bind one endpoint (like SO_REUSEPORT): the network then hands each
// datagram to the next of them in turn, spreading even one SA's packets over worker lanes.
//
//   host A --inject()--> FakeTun A --read_batch--> [dataplane A] --write_batch--> FakeSocket A
//        FakeNetwork: delivers by destination endpoint, through an optional tap
//   FakeSocket B --read_batch--> [dataplane B] --write_batch--> FakeTun B --take_written()--> host
//   B

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "base/bytes.hpp"
#include "dataplane/core/devices.hpp"

namespace vpnlab::dataplane {

class FakeTun final : public TunDevice {
 public:
  explicit FakeTun(std::size_t batch = 8) : batch_(batch) {}
  std::size_t batch_size() const override { return batch_; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;

  /// The host sends an inner packet into the tunnel.
  void inject(Bytes packet) {
    std::lock_guard lock(mu_);
    from_host_.push_back(std::move(packet));
  }
  /// Packets the dataplane delivered to the host, oldest first (and forgets them).
  std::vector<Bytes> take_written();
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return from_host_.size();
  }

 private:
  std::size_t batch_;
  mutable std::mutex mu_;
  std::deque<Bytes> from_host_;
  std::vector<Bytes> to_host_;
};

class FakeSocket;

/// Connects FakeSockets by endpoint. The tap sees every datagram and may change it or drop
/// it (return false): tests use it to capture, corrupt, replay or reorder.
class FakeNetwork {
 public:
  using Tap = std::function<bool(const Endpoint& from, const Endpoint& to, Bytes& payload)>;
  void set_tap(Tap tap) {
    std::lock_guard lock(mu_);
    tap_ = std::move(tap);
  }
  void attach(FakeSocket* socket);
  void detach(FakeSocket* socket);
  /// Delivers to a socket bound to `to`, round-robin over several (silently lost if none, as
  /// on a real network). The tap runs under the network's lock.
  void deliver(const Endpoint& from, const Endpoint& to, Bytes payload);

 private:
  struct Bound {
    std::vector<FakeSocket*> sockets;
    std::size_t next = 0;
  };
  std::mutex mu_;
  Tap tap_;
  std::map<Endpoint, Bound> sockets_;
};

class FakeSocket final : public DatagramSocket {
 public:
  /// Raw ESP sockets use port 0 in `local`.
  FakeSocket(FakeNetwork& net, Endpoint local, bool udp_encap, std::size_t batch = 8);
  ~FakeSocket() override;
  std::size_t batch_size() const override { return batch_; }
  bool udp_encap() const override { return udp_; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;
  Result<void> send_control(const Endpoint& peer, ByteSpan payload) override {
    net_.deliver(local_, peer, Bytes(payload.begin(), payload.end()));
    return {};
  }

  const Endpoint& local() const { return local_; }
  /// A datagram arrives from `from` (what the network calls; tests may call it too).
  void receive(const Endpoint& from, Bytes payload) {
    std::lock_guard lock(mu_);
    inbox_.push_back(Datagram{from, std::move(payload)});
  }
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return inbox_.size();
  }

 private:
  struct Datagram {
    Endpoint from;
    Bytes payload;
  };
  FakeNetwork& net_;
  Endpoint local_;
  bool udp_;
  std::size_t batch_;
  mutable std::mutex mu_;
  std::deque<Datagram> inbox_;
};

}  // namespace vpnlab::dataplane
