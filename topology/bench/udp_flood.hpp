#pragma once
// A paced UDP load generator and its counter, for offering a tunnel more than a cloud's
// documented limit (AWS: 1.25 Gbps and 140,000 packets/s per tunnel, cloud-facts 1.3).
// iperf3 3.12 sends one datagram per system call from one thread and tops out near 100,000
// datagrams/s here - below the limit it should exceed; UDP_SEGMENT sends (up to 64 datagrams
// per send, split by the kernel before they reach the gateway's TUN) offer several times that
// on the same core. Also the engine of bench/dataplane/udp_blast.

#include <chrono>
#include <cstdint>
#include <string>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::topology::bench {

/// Sends `payload`-byte datagrams to one address, paced to an offered rate.
class UdpFloodSender {
 public:
  /// A socket connected to dst:port, created in the named namespace ("" = the caller's).
  static Checked<UdpFloodSender> open(const std::string& netns, Ipv4Address dst, std::uint16_t port,
                                      int payload, bool segment_offload);
  UdpFloodSender(UdpFloodSender&& o) noexcept;
  UdpFloodSender& operator=(UdpFloodSender&&) = delete;
  ~UdpFloodSender();

  /// Sends for `seconds` at `pps` datagrams per second (0: as fast as it can); returns how
  /// many datagrams the kernel accepted.
  std::uint64_t run(double seconds, double pps);

 private:
  UdpFloodSender(int fd, int payload, bool segment_offload)
      : fd_(fd), payload_(payload), segment_offload_(segment_offload) {}
  int fd_ = -1;
  int payload_ = 0;
  bool segment_offload_ = false;
};

struct FloodCount {
  std::uint64_t datagrams = 0, bytes = 0;
  double seconds = 0;  // from the first datagram to the last
  double pps() const { return seconds > 0 ? static_cast<double>(datagrams) / seconds : 0; }
};

/// Counts the datagrams that reach one UDP port.
class UdpFloodReceiver {
 public:
  static Checked<UdpFloodReceiver> open(const std::string& netns, std::uint16_t port);
  UdpFloodReceiver(UdpFloodReceiver&& o) noexcept;
  UdpFloodReceiver& operator=(UdpFloodReceiver&&) = delete;
  ~UdpFloodReceiver();

  /// Counts until `span` after the first datagram, or gives up `give_up` after the call
  /// when none came.
  FloodCount receive(std::chrono::duration<double> span, std::chrono::duration<double> give_up);

 private:
  explicit UdpFloodReceiver(int fd) : fd_(fd) {}
  int fd_ = -1;
};

struct FloodResult {
  std::uint64_t sent = 0;  // datagrams the sender's kernel accepted
  FloodCount received;
};

/// One paced run: a receiver on `to_netns`:port, a sender in `from_netns` to dst:port, for
/// `seconds` at `pps`; returns both counts.
Checked<FloodResult> run_udp_flood(const std::string& from_netns, const std::string& to_netns,
                                   Ipv4Address dst, std::uint16_t port, int payload, double pps,
                                   double seconds);

}  // namespace vpnlab::topology::bench
