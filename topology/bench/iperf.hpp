#pragma once
// iperf3 as `vpnlab bench` drives it: a server in one lab namespace, clients in another,
// and the pure parse of the client's JSON report (iperf3 -J).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "base/result.hpp"

namespace vpnlab::topology::bench {

struct IperfCase {
  bool udp = false;
  bool reverse = false;  // -R: the server's namespace sends
  int streams = 1;       // -P
  int seconds = 5;       // -t
  int udp_payload = 64;  // -l for UDP (bytes of payload per datagram)
  // UDP offered rate over all streams: above AWS's 140,000 per tunnel (cloud-facts 1.3), so
  // a limit shows, yet paced: iperf3 -b 0 floods so hard that its own control connection
  // starves and a reverse run may never end.
  int udp_offered_pps = 250000;
};

struct IperfResult {
  double seconds = 0;
  double bits_per_second = 0;                   // received
  std::uint64_t bytes = 0;                      // received
  std::uint64_t retransmits = 0;                // TCP, sender side
  std::uint64_t packets = 0, lost_packets = 0;  // UDP, as the receiver counted them
  double packets_per_second() const { return seconds > 0 ? (packets - lost_packets) / seconds : 0; }
};

/// Parses `iperf3 -J` client output. Errors: not JSON, iperf3's own "error" field, or a
/// report without the end summary the case needs - each named.
Checked<IperfResult> parse_iperf_json(const std::string& text, bool udp);

/// The iperf3 command line of a client for `c` against server:port.
std::vector<std::string> iperf_client_argv(const IperfCase& c, Ipv4Address server,
                                           std::uint16_t port);

/// An iperf3 server (-s) in a namespace, stopped (by its PID) when destroyed.
class IperfServer {
 public:
  static Checked<IperfServer> start(const std::string& netns, std::uint16_t port,
                                    const std::string& log_path);
  IperfServer(IperfServer&& o) noexcept : pid_(o.pid_) { o.pid_ = 0; }
  IperfServer& operator=(IperfServer&&) = delete;
  ~IperfServer();

 private:
  explicit IperfServer(pid_t pid) : pid_(pid) {}
  pid_t pid_ = 0;
};

/// Runs one client case in `netns` to completion (iperf3 -J) and parses its report.
Checked<IperfResult> run_iperf_client(const std::string& netns, const IperfCase& c,
                                      Ipv4Address server, std::uint16_t port);

}  // namespace vpnlab::topology::bench
