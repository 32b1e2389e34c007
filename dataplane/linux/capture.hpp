#pragma once
// Packet capture on a gateway's devices for `vpnlab capture`: one AF_PACKET socket per
// device (SOCK_DGRAM, so every packet starts at its IP header whether the device is the
// veth to the lab's internet or a tunnel's TUN device), opened in a named network namespace
// and bound to the device there. Packets in both directions are seen (PACKET_OUTGOING for
// what the gateway sends); a userspace filter (dataplane/core/ipsec_classify.hpp) keeps
// IPsec only, or one tunnel's outside address pair. Kernel timestamps (SO_TIMESTAMPNS) and
// drop counters (PACKET_STATISTICS) come with them.
//
// Single-threaded: the caller polls. Sockets keep their namespace after open() returns.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "dataplane/core/ipsec_classify.hpp"

namespace vpnlab::dataplane {

struct CapturedPacket {
  std::size_t device = 0;  // index into the devices given to open()
  std::uint64_t timestamp_ns = 0;
  bool outgoing = false;
  ByteSpan data;  // valid during the callback only
  std::uint32_t original_length = 0;
};

struct CaptureCounters {
  std::uint64_t received = 0;  // by the kernel for this socket (PACKET_STATISTICS tp_packets)
  std::uint64_t dropped = 0;   // socket buffer overruns (tp_drops)
};

class PacketCapture {
 public:
  /// Enters netns (empty: the caller's namespace), opens and binds one socket per device,
  /// and returns to the caller's namespace. Errors name the namespace or device.
  static Checked<std::unique_ptr<PacketCapture>> open(const std::string& netns,
                                                      const std::vector<std::string>& devices,
                                                      CaptureFilter filter,
                                                      std::uint32_t snaplen = 65535);
  ~PacketCapture();

  /// Waits up to `timeout` for packets and passes each one the filter keeps to `sink`.
  /// Returns how many it passed; EINTR (a signal) returns 0 so the caller can check why.
  Checked<std::size_t> poll(std::chrono::milliseconds timeout,
                            const std::function<void(const CapturedPacket&)>& sink);
  /// Kernel counters per device since open().
  std::vector<CaptureCounters> counters();
  const std::vector<std::string>& devices() const { return devices_; }

 private:
  PacketCapture(std::vector<std::string> devices, CaptureFilter filter, std::uint32_t snaplen)
      : devices_(std::move(devices)), filter_(filter), buffer_(snaplen) {}
  Checked<void> open_socket(const std::string& device);
  void drain(std::size_t index, const std::function<void(const CapturedPacket&)>& sink,
             std::size_t& passed);

  std::vector<std::string> devices_;
  CaptureFilter filter_;
  Bytes buffer_;
  std::vector<int> fds_;
  std::vector<CaptureCounters> totals_;
};

}  // namespace vpnlab::dataplane
