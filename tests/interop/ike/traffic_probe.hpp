#pragma once
// Traffic through the tunnel for the interop tests, counted rather than timed:
//
// UdpEchoProbe: a sequenced UDP stream (a window of 8 in flight) from a client socket in one
// namespace to an echo socket in another (both threads of this process, sockets created
// inside their namespaces). Each datagram carries its sequence number; one not echoed is
// counted lost only after a generous quiet deadline (3 s without any echo). So
// "lost() == 0" after a rekey means no datagram (either direction) was dropped, whatever the
// machine's load, and received() says how much traffic crossed.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ike/core/actions.hpp"

namespace vpnlab::ike::test {

class UdpEchoProbe {
 public:
  UdpEchoProbe(const std::string& client_netns, const std::string& client_address,
               const std::string& server_netns, const std::string& server_address,
               std::uint16_t port = 7777);
  ~UdpEchoProbe();
  UdpEchoProbe(const UdpEchoProbe&) = delete;
  UdpEchoProbe& operator=(const UdpEchoProbe&) = delete;

  bool ok() const { return client_fd_ >= 0 && server_fd_ >= 0; }
  void start();
  /// Stops sending; datagrams in flight get the deadline to be echoed, else count as lost.
  void stop();
  std::uint64_t sent() const { return sent_; }
  std::uint64_t received() const { return received_; }
  std::uint64_t lost() const { return lost_; }
  /// Sequence numbers (1 = first datagram) counted lost, for failure messages.
  std::string lost_sequence_numbers() const;
  /// Datagrams the echo side received (and answered).
  std::uint64_t served() const { return served_; }

 private:
  void run_client();
  void run_server();

  int client_fd_ = -1, server_fd_ = -1;
  std::string server_address_;
  std::uint16_t port_;
  std::atomic<bool> stop_{false}, server_stop_{false};
  std::atomic<std::uint64_t> sent_{0}, received_{0}, lost_{0}, served_{0};
  std::thread client_, server_;
  mutable std::mutex mu_;
  std::vector<std::uint32_t> lost_seqs_;
};

}  // namespace vpnlab::ike::test
