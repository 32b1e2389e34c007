#pragma once
// IKE datagrams found by the data path (RFC 3948 non-ESP marker on port 4500, or anything on
// port 500) go to the control thread through this bounded queue. Control traffic never blocks
// data: when the queue is full the datagram is dropped and counted (wireguard-go's handshake
// queue `select ... default`). IKE packets are rare and small, so a mutex and a copy per
// datagram are fine here; ESP packets never come this way.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "base/bytes.hpp"
#include "dataplane/core/packet_buf.hpp"

namespace vpnlab::dataplane {

struct IkeDatagram {
  Endpoint local;   // our address and port it arrived on (500 or 4500)
  Endpoint remote;  // the sender
  Bytes payload;    // the IKE message, without the non-ESP marker
};

class ControlQueue {
 public:
  explicit ControlQueue(std::size_t capacity) : capacity_(capacity) {}

  /// Called after a push made the queue non-empty (e.g. to signal an eventfd); set before
  /// workers start.
  void set_wakeup(std::function<void()> wake) { wake_ = std::move(wake); }

  /// Copies the datagram in; false (and counted) when the queue is full.
  bool push(const Endpoint& local, const Endpoint& remote, ByteSpan payload) {
    bool was_empty = false;
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= capacity_) {
        ++dropped_;
        return false;
      }
      was_empty = queue_.empty();
      queue_.push_back(IkeDatagram{local, remote, Bytes(payload.begin(), payload.end())});
    }
    if (was_empty && wake_) wake_();
    return true;
  }
  /// Everything queued so far, oldest first (control thread).
  std::vector<IkeDatagram> drain() {
    std::lock_guard lock(mu_);
    std::vector<IkeDatagram> out(std::make_move_iterator(queue_.begin()),
                                 std::make_move_iterator(queue_.end()));
    queue_.clear();
    return out;
  }
  std::uint64_t dropped() const {
    std::lock_guard lock(mu_);
    return dropped_;
  }

 private:
  std::size_t capacity_;
  std::function<void()> wake_;
  mutable std::mutex mu_;
  std::deque<IkeDatagram> queue_;
  std::uint64_t dropped_ = 0;
};

}  // namespace vpnlab::dataplane
