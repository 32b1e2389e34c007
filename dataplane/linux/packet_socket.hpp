#pragma once
// The AF_PACKET ESP transport: raw ESP (IP protocol 50, RFC 4303) without the kernel's
// per-packet IP path, an alternative to LinuxDatagramSocket::Kind::raw_esp chosen at start
// (engine.hpp EspTransport). Protocol-50 sockets have no GSO/GRO: every packet pays a route
// lookup, the IP output path and a checksumming copy on send, and the IP input path, a clone
// per raw socket and a queue on receive. Here:
//
//   send     the worker writes the outer IPv4 header into the packet's headroom
//            (esp_frame.hpp) and sendmmsg()s the batch on a SOCK_DGRAM packet socket with
//            the next hop's link-layer address (next_hop.hpp): one copy, no route lookup;
//   receive  a packet socket on the peers' device (ETH_P_ALL, so it sees frames before the
//            ingress hook) with a classic BPF filter for ESP to the local address
//            (esp_socket_filter.hpp), read from a TPACKET_V2 or V3 ring
//            (packet_rx_ring_v2.hpp, packet_rx_ring.hpp) or recvmmsg()ed in batches
//            (PacketRxMode). Lanes share the frames
//            through one PACKET_FANOUT group (hash: one peer's SA stays on one worker), which
//            also reassembles outer fragments (PACKET_FANOUT_FLAG_DEFRAG).
//
// The kernel's own stack must not see these frames too (no XFRM here: protocol 50 without a
// raw socket would be answered with ICMP protocol unreachable, RFC 1122 3.2.2.1, and with
// one it would be delivered twice): the engine drops them at the device's ingress hook
// (esp_ingress_drop.hpp), which runs after packet taps and before IP.
//
// Each socket also keeps a raw ESP socket bound to the local address that receives nothing
// (a drop-all filter) and sends what the packet socket cannot: packets to a peer whose
// neighbour is not yet resolved or confirmed (the kernel ARPs), larger than the device MTU
// (the kernel fragments, DF clear), or without headroom.
//
// One socket per local address and worker lane; read_batch/write_batch from that worker
// only. Counters are relaxed atomics so that status can read them from the control thread.

#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "dataplane/core/devices.hpp"
#include "dataplane/linux/next_hop.hpp"
#include "dataplane/linux/packet_rx_ring.hpp"
#include "dataplane/linux/packet_rx_ring_v2.hpp"

namespace vpnlab::dataplane {

struct PacketSocketCounters {
  std::atomic<std::uint64_t> tx_frames{0};     // sent on the packet socket
  std::atomic<std::uint64_t> tx_kernel{0};     // sent through the raw socket (see above)
  std::atomic<std::uint64_t> rx_frames{0};     // ESP packets received on the packet socket
  std::atomic<std::uint64_t> rx_malformed{0};  // frames the filter let through but not ESP
};

/// How the packet socket receives:
///   ring_v3   a TPACKET_V3 ring: one wakeup per 64 KiB block, but a partly filled block
///             waits up to 1 ms (the block timer) - a lone packet's latency;
///   ring_v2   a TPACKET_V2 ring: per-frame status, a wakeup as soon as a frame is in,
///             busy readers still drain many frames per wakeup without system calls;
///   recvmmsg  no ring: batches of recvmmsg (one wakeup per packet while the worker sleeps).
enum class PacketRxMode { ring_v3, ring_v2, recvmmsg };
/// "v3" | "v2" | "recvmmsg".
const char* packet_rx_mode_name(PacketRxMode m);
std::optional<PacketRxMode> parse_packet_rx_mode(std::string_view name);

class PacketEspSocket final : public DatagramSocket {
 public:
  struct Options {
    std::size_t batch = 64;
    std::uint16_t fanout_group = 0;  // shared by the lanes' sockets of one local address
    bool qdisc_bypass = false;       // PACKET_QDISC_BYPASS (then packet taps miss our sends)
    /// The device to receive on; 0: every device (the filter picks by address). Bound to
    /// the one device the peers are reached through, the TUN devices' and LAN's packets
    /// never reach the socket's fanout (which hashes each packet before filtering).
    int ifindex = 0;
    /// V3 by default: V2 has no 1 ms delay but signals the worker per packet, and measured
    /// at 0.73-0.81x V3's 64-byte packet rate (bench/dataplane/RESULTS.md).
    PacketRxMode rx_mode = PacketRxMode::ring_v3;
  };
  /// Opens and binds both sockets and joins the fanout group. Errors (EPERM without
  /// CAP_NET_RAW, no AF_PACKET, fanout) carry errno and name the step.
  static Checked<std::unique_ptr<PacketEspSocket>> open(Ipv4Address local, Options options);
  ~PacketEspSocket() override;

  std::size_t batch_size() const override { return batch_; }
  bool udp_encap() const override { return false; }
  Result<std::size_t> read_batch(PacketBatch& out, PacketPool& pool) override;
  Result<std::size_t> write_batch(PacketBatch& in) override;
  /// Raw ESP carries no control datagrams (IKE uses UDP 500/4500).
  Result<void> send_control(const Endpoint& peer, ByteSpan payload) override;

  int fd() const { return fd_; }
  const PacketSocketCounters& counters() const { return counters_; }

 private:
  PacketEspSocket(int fd, int raw_fd, Ipv4Address local, std::size_t batch, NextHopCache hops,
                  std::optional<PacketRxRing> ring, std::optional<PacketRxRingV2> ring_v2);
  template <typename Ring>
  Result<std::size_t> read_ring(Ring& ring, PacketBatch& out, PacketPool& pool);
  bool frame(PacketBuf& p, const NextHop4& hop, std::size_t slot);
  bool send_through_kernel(PacketBuf& p);

  int fd_;      // AF_PACKET SOCK_DGRAM
  int raw_fd_;  // AF_INET SOCK_RAW IPPROTO_ESP, send only
  Ipv4Address local_;
  std::size_t batch_;
  NextHopCache hops_;
  std::optional<PacketRxRing> ring_;
  std::optional<PacketRxRingV2> ring_v2_;
  std::uint16_t ip_id_ = 0;
  PacketSocketCounters counters_;
  std::vector<mmsghdr> rx_msgs_, tx_msgs_;
  std::vector<iovec> rx_iov_, tx_iov_;
  std::vector<sockaddr_ll> tx_addr_;
  std::vector<PooledPacket> rx_bufs_;
};

}  // namespace vpnlab::dataplane
